import { OAuthError, quote } from '../../errors.js'
import { parseResourceIndicators } from '../resource/parse-resource-indicator.js'

/**
 * RFC 8707 §2.2: at the token endpoint, `resource` names where the access token will be used,
 * and for the code and refresh grants it must be among the resources the grant covers ("the
 * authorization server [...] determines whether the requested resource is acceptable"): anything
 * else is invalid_target. Omitted, the token covers the whole grant.
 * Returns the access token's audience: canonical values, sorted.
 */
export function narrowResources(
  requested: readonly string[],
  granted: readonly string[],
): string[] {
  if (requested.length === 0) return [...granted]
  const wanted = parseResourceIndicators(requested)
  const outside = wanted.filter((resource) => !granted.includes(resource))
  if (outside.length > 0) {
    throw new OAuthError(
      'invalid_target',
      granted.length === 0
        ? `resource ${quote(outside[0])} was not part of the authorization; request it at the authorization endpoint`
        : `resource ${quote(outside[0])} is not among the resources granted: ${granted.join(' ')}`,
    )
  }
  return wanted
}
