import { invalidClientMetadata, quote } from '../../errors.js'
import type { GrantType, TokenEndpointAuthMethod } from './client-metadata.js'
import { TOKEN_ENDPOINT_AUTH_METHODS } from './client-metadata.js'

const SUPPORTED: ReadonlySet<string> = new Set(TOKEN_ENDPOINT_AUTH_METHODS)

/**
 * RFC 7591 §2: an auth method the server does not support is refused, never accepted and then
 * failed at the token endpoint (the seed review found exactly that bug). Default (§2):
 * client_secret_basic, stated explicitly in the response (docs/decisions.md A12).
 */
export function checkAuthMethod(
  requested: string | undefined,
  grants: readonly GrantType[],
  keys: { readonly jwks: boolean; readonly jwksUri: boolean },
): TokenEndpointAuthMethod {
  const method = requested ?? 'client_secret_basic'
  if (!SUPPORTED.has(method)) {
    throw invalidClientMetadata(
      `token_endpoint_auth_method ${quote(method)} is not supported; supported: ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
    )
  }
  // client_credentials authenticates the client itself: with no credential at all, anyone who
  // knows the client_id could get tokens as that client (RFC 6749 §4.4 requires a confidential client).
  if (method === 'none' && grants.includes('client_credentials')) {
    throw invalidClientMetadata(
      "token_endpoint_auth_method 'none' cannot be used with the client_credentials grant, which requires client authentication (RFC 6749 §4.4)",
    )
  }
  // RFC 7523 §2.2: the server verifies the assertion with the client's registered keys.
  if (method === 'private_key_jwt' && !keys.jwks && !keys.jwksUri) {
    throw invalidClientMetadata(
      "token_endpoint_auth_method 'private_key_jwt' requires jwks or jwks_uri with the client's public keys",
    )
  }
  return method as TokenEndpointAuthMethod
}
