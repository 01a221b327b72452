import { authorizationEndpointMetadata } from '../authorize/authorization-endpoint-metadata.js'
import { tokenEndpointsMetadata } from '../tokens/token-endpoints-metadata.js'
import type { IssuerLocation } from './endpoint-paths.js'
import { ENDPOINT_PATHS } from './endpoint-paths.js'
import { endpointUrl } from './endpoint-url.js'

/**
 * RFC 8414 §2 authorization server metadata, listing only what works on this server: each
 * endpoint contributes its own members (authorize: response types, PKCE, iss; token side:
 * endpoints, grant types, client authentication), registration its endpoint when enabled.
 * Members with no values are omitted (§3.2), never sent as empty arrays.
 */
export function authorizationServerMetadata(
  location: IssuerLocation,
  features: ServerFeatures,
): Record<string, unknown> {
  const tokenSide = tokenEndpointsMetadata(location, features)
  const grants = tokenSide.grant_types_supported as readonly string[]
  return {
    issuer: location.issuer,
    ...authorizationEndpointMetadata(location, features),
    ...tokenSide,
    // RFC 8414 §2 lists implicit among grant types although it never reaches the token endpoint.
    grant_types_supported: features.implicit ? [...grants, 'implicit'] : grants,
    ...(features.registration
      ? { registration_endpoint: endpointUrl(location, ENDPOINT_PATHS.registration) }
      : {}),
    ...(features.scopes.length === 0 ? {} : { scopes_supported: [...features.scopes] }),
  }
}

/** What this server offers, as far as discovery tells: only what works is listed. */
export interface ServerFeatures {
  readonly scopes: readonly string[]
  /** The registration endpoint is served (registration.mode is not 'disabled'). */
  readonly registration: boolean
  /** response_type=token for clients registered for it (authorization.implicit). */
  readonly implicit: boolean
  /** grant_type=password for clients registered for it (authorization.password). */
  readonly password: boolean
  /** Access tokens are JWTs whose public key is served at jwks_uri. */
  readonly jwks: boolean
}

/** RFC 8414 §3: the well-known string goes between the host and the issuer's path. */
export function metadataPath(location: IssuerLocation): string {
  return `/.well-known/oauth-authorization-server${location.basePath}`
}

// `{issuer}{base path}/register/` per location object, or null where appending would not give
// what endpointUrl gives (an issuer with a query, say, which resolveOptions refuses anyway).
const registrationUriPrefixes = new WeakMap<IssuerLocation, string | null>()

/**
 * RFC 7592 §3: where a client manages its registration (docs/decisions.md A30: a path per client).
 *
 * The issuer and base path are fixed for the process, so the prefix is built by endpointUrl
 * once and the client id appended: a `new URL` per call was 3.5% of the CPU of an RFC 7592 GET.
 * Appending gives endpointUrl's bytes because encodeURIComponent leaves only unreserved
 * characters and %XX escapes, which the URL path parser keeps as they are, except the
 * segments `.` and `..`, which it resolves: those still go through endpointUrl.
 */
export function registrationClientUri(location: IssuerLocation, clientId: string): string {
  let prefix = registrationUriPrefixes.get(location)
  if (prefix === undefined) {
    const uri = endpointUrl(location, `${ENDPOINT_PATHS.registration}/`)
    prefix = uri.endsWith(`${ENDPOINT_PATHS.registration}/`) ? uri : null
    registrationUriPrefixes.set(location, prefix)
  }
  const segment = encodeURIComponent(clientId)
  if (prefix === null || segment === '.' || segment === '..') {
    return endpointUrl(location, `${ENDPOINT_PATHS.registration}/${segment}`)
  }
  return `${prefix}${segment}`
}
