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

/** RFC 7592 §3: where a client manages its registration (decision A30: a path per client). */
export function registrationClientUri(options: ResolvedOptions, clientId: string): string {
  return endpointUrl(options, `/register/${encodeURIComponent(clientId)}`)
}
