import { invalidClientMetadata } from '../../errors.js'
import { parseScope } from '../scope/parse-scope.js'

/**
 * RFC 7591 §2 `scope`, docs/decisions.md A13: values the server does not offer to dynamic clients are
 * refused with their names; an omitted (or empty) scope registers the configured defaults,
 * and the registered string appears in the response (§3.2.1).
 */
export function resolveScope(
  requested: string | undefined,
  allowed: ReadonlySet<string>,
  defaults: readonly string[],
): string {
  const tokens = requested === undefined ? [] : parseScope(requested)
  if (tokens.length === 0) return defaults.join(' ')
  const refused = tokens.filter((token) => !allowed.has(token))
  if (refused.length > 0) {
    throw invalidClientMetadata(
      `scope contains values this server does not offer to dynamically registered clients: ${refused.join(' ')}; offered: ${[...allowed].join(' ')}`,
    )
  }
  return tokens.join(' ')
}
