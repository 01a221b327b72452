import type { ResolvedOptions } from '../../options.js'
import { authorizationEndpointMetadata } from '../authorize/authorization-endpoint-metadata.js'
import { tokenEndpointsMetadata } from '../tokens/token-endpoints-metadata.js'
import { endpointUrl } from './endpoint-url.js'

/**
 * RFC 8414 §2 authorization server metadata, listing only what works on this server: each
 * endpoint contributes its own members (authorize: response types, PKCE, iss; token side:
 * endpoints, grant types, client authentication), registration its endpoint when enabled.
 * Members with no values are omitted (§3.2), never sent as empty arrays.
 */
export function authorizationServerMetadata(options: ResolvedOptions): Record<string, unknown> {
  const tokenSide = tokenEndpointsMetadata(options)
  const grants = tokenSide.grant_types_supported as readonly string[]
  return {
    issuer: options.issuer,
    ...authorizationEndpointMetadata(options),
    ...tokenSide,
    // RFC 8414 §2 lists implicit among grant types although it never reaches the token endpoint.
    grant_types_supported: options.authorization.implicit ? [...grants, 'implicit'] : grants,
    ...(options.registration.mode === 'disabled'
      ? {}
      : { registration_endpoint: endpointUrl(options, '/register') }),
    ...(options.scopes.length === 0 ? {} : { scopes_supported: [...options.scopes] }),
  }
}

/** RFC 8414 §3: the well-known string goes between the host and the issuer's path. */
export function metadataPath(options: ResolvedOptions): string {
  return `/.well-known/oauth-authorization-server${options.basePath}`
}

// `{issuer}{base path}/register/` per options object, or null where appending would not give
// what endpointUrl gives (an issuer with a query, say, which resolveOptions refuses anyway).
const registrationUriPrefixes = new WeakMap<ResolvedOptions, string | null>()

/**
 * RFC 7592 §3: where a client manages its registration (decision A30: a path per client).
 *
 * The issuer and base path are fixed for the process, so the prefix is built by endpointUrl
 * once and the client id appended: a `new URL` per call was 3.5% of the CPU of an RFC 7592 GET.
 * Appending gives endpointUrl's bytes because encodeURIComponent leaves only unreserved
 * characters and %XX escapes, which the URL path parser keeps as they are, except the
 * segments `.` and `..`, which it resolves: those still go through endpointUrl.
 */
export function registrationClientUri(options: ResolvedOptions, clientId: string): string {
  let prefix = registrationUriPrefixes.get(options)
  if (prefix === undefined) {
    const uri = endpointUrl(options, '/register/')
    prefix = uri.endsWith('/register/') ? uri : null
    registrationUriPrefixes.set(options, prefix)
  }
  const segment = encodeURIComponent(clientId)
  if (prefix === null || segment === '.' || segment === '..') {
    return endpointUrl(options, `/register/${segment}`)
  }
  return `${prefix}${segment}`
}
