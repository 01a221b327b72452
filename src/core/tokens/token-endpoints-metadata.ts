import type { ResolvedOptions } from '../../options.js'
import { endpointUrl } from '../discovery/endpoint-url.js'
import { tokenEndpointGrantTypes } from '../grants/exchange-grant.js'
import {
  ASSERTION_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../registration/client-metadata.js'

/** Paths under the issuer's path (RFC 8414 §2 leaves them to the server). */
export const TOKEN_PATH = '/token'
export const REVOCATION_PATH = '/revoke'
export const INTROSPECTION_PATH = '/introspect'
export const JWKS_PATH = '/jwks'

export function tokenEndpointUrl(options: ResolvedOptions): string {
  return endpointUrl(options, TOKEN_PATH)
}

/**
 * The RFC 8414 §2 members that describe the token, revocation and introspection endpoints and
 * the signing keys, for the discovery document. The three endpoints authenticate clients the
 * same way, so they list the same methods; `*_auth_signing_alg_values_supported` is required
 * once private_key_jwt is listed and must not contain `none` (§2). jwks_uri only when access
 * tokens are JWTs: there is no key to publish otherwise.
 */
export function tokenEndpointsMetadata(options: ResolvedOptions): Record<string, unknown> {
  const methods = [...TOKEN_ENDPOINT_AUTH_METHODS]
  const algs = [...ASSERTION_SIGNING_ALGS]
  return {
    token_endpoint: tokenEndpointUrl(options),
    token_endpoint_auth_methods_supported: methods,
    token_endpoint_auth_signing_alg_values_supported: algs,
    grant_types_supported: tokenEndpointGrantTypes(options.authorization.password),
    revocation_endpoint: endpointUrl(options, REVOCATION_PATH),
    revocation_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_signing_alg_values_supported: algs,
    introspection_endpoint: endpointUrl(options, INTROSPECTION_PATH),
    // A public client proves nothing by naming its client_id (introspect-token.ts).
    introspection_endpoint_auth_methods_supported: methods.filter((method) => method !== 'none'),
    introspection_endpoint_auth_signing_alg_values_supported: algs,
    ...(options.tokens.signingKey === null ? {} : { jwks_uri: endpointUrl(options, JWKS_PATH) }),
  }
}
