import type { ServerFeatures } from '../discovery/authorization-server-metadata.js'
import type { IssuerLocation } from '../discovery/endpoint-paths.js'
import { ENDPOINT_PATHS } from '../discovery/endpoint-paths.js'
import { endpointUrl } from '../discovery/endpoint-url.js'

/**
 * The RFC 8414 §2 members the authorization endpoint adds to discovery, listing only what works:
 * response_type token only when the host enabled the implicit grant, PKCE with S256 alone
 * (docs/decisions.md A19; MCP clients refuse to proceed without code_challenge_methods_supported,
 * RMCP-04), and `iss` in every authorization response (RFC 9207 §3, docs/decisions.md A36).
 */
export function authorizationEndpointMetadata(
  location: IssuerLocation,
  features: Pick<ServerFeatures, 'implicit'>,
): Record<string, unknown> {
  const implicit = features.implicit
  return {
    authorization_endpoint: endpointUrl(location, ENDPOINT_PATHS.authorization),
    response_types_supported: implicit ? ['code', 'token'] : ['code'],
    response_modes_supported: implicit ? ['query', 'fragment'] : ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  }
}
