import type { ServerFeatures } from '../discovery/authorization-server-metadata.js'
import type { IssuerLocation } from '../discovery/endpoint-paths.js'
import { ENDPOINT_PATHS } from '../discovery/endpoint-paths.js'
import { endpointUrl } from '../discovery/endpoint-url.js'
import { tokenEndpointGrantTypes } from '../grants/exchange-grant.js'
import {
  ASSERTION_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../registration/client-metadata.js'

export function tokenEndpointUrl(location: IssuerLocation): string {
  return endpointUrl(location, ENDPOINT_PATHS.token)
}

/**
 * The RFC 8414 §2 members that describe the token, revocation and introspection endpoints and
 * the signing keys, for the discovery document. The three endpoints authenticate clients the
 * same way, so they list the same methods; `*_auth_signing_alg_values_supported` is required
 * once private_key_jwt is listed and must not contain `none` (§2). jwks_uri only when access
 * tokens are JWTs: there is no key to publish otherwise.
 */
export function tokenEndpointsMetadata(
  location: IssuerLocation,
  features: Pick<ServerFeatures, 'password' | 'jwks'>,
): Record<string, unknown> {
  const methods = [...TOKEN_ENDPOINT_AUTH_METHODS]
  const algs = [...ASSERTION_SIGNING_ALGS]
  return {
    token_endpoint: tokenEndpointUrl(location),
    token_endpoint_auth_methods_supported: methods,
    token_endpoint_auth_signing_alg_values_supported: algs,
    grant_types_supported: tokenEndpointGrantTypes(features.password),
    revocation_endpoint: endpointUrl(location, ENDPOINT_PATHS.revocation),
    revocation_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_signing_alg_values_supported: algs,
    introspection_endpoint: endpointUrl(location, ENDPOINT_PATHS.introspection),
    // A public client proves nothing by naming its client_id (introspect-token.ts).
    introspection_endpoint_auth_methods_supported: methods.filter((method) => method !== 'none'),
    introspection_endpoint_auth_signing_alg_values_supported: algs,
    ...(features.jwks ? { jwks_uri: endpointUrl(location, ENDPOINT_PATHS.jwks) } : {}),
  }
}
