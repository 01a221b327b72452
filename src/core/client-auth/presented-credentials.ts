import { OAuthError } from '../../errors.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import { invalidClient } from './client-auth-error.js'
import { isBasicAuthorization, parseBasicCredentials } from './parse-basic-credentials.js'

/** What the request offers as proof of the client's identity, before anything is checked. */
export type PresentedCredentials =
  | {
      readonly method: 'client_secret_basic' | 'client_secret_post'
      readonly clientId: string
      readonly clientSecret: string
    }
  | {
      readonly method: 'private_key_jwt'
      /** The body's client_id when sent (RFC 7523 §3: optional); else the assertion names it. */
      readonly clientId: string | null
      readonly assertion: string | null
      readonly assertionType: string | null
    }
  /** A public client: client_id alone (RFC 6749 §3.2.1, §4.1.3). */
  | { readonly method: 'none'; readonly clientId: string }

/**
 * Reads the credentials a token, revocation or introspection request carries: an
 * `Authorization: Basic` header (RFC 6749 §2.3.1), `client_id` + `client_secret` in the body
 * (§2.3.1), `client_assertion` + `client_assertion_type` (RFC 7523 §2.2), or `client_id` alone.
 * Authorization headers of other schemes are not client credentials and are left alone.
 */
export function readPresentedCredentials(
  authorization: string | null,
  params: RequestParameters,
  realm: string,
): PresentedCredentials {
  const basicTried = isBasicAuthorization(authorization)
  const bodyClientId = params.get('client_id')
  const bodySecret = params.get('client_secret')
  const assertion = params.get('client_assertion')
  const assertionType = params.get('client_assertion_type')

  // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
  const methods = [
    basicTried ? 'Authorization: Basic' : null,
    bodySecret !== null ? 'client_secret' : null,
    assertion !== null || assertionType !== null ? 'client_assertion' : null,
  ].filter((method) => method !== null)
  if (methods.length > 1) {
    throw new OAuthError(
      'invalid_request',
      `use one client authentication method per request, not ${methods.join(' and ')}`,
    )
  }

  if (basicTried) {
    const credentials = parseBasicCredentials(authorization)
    if (credentials === null) {
      throw invalidClient(
        'the Authorization: Basic header is malformed: it must be base64 of the form-urlencoded client_id, a colon and the form-urlencoded client_secret (RFC 6749 §2.3.1)',
        { basic: true, realm },
      )
    }
    // A client_id in the body too must name the same client, or the request is ambiguous.
    if (bodyClientId !== null && bodyClientId !== credentials.clientId) {
      throw new OAuthError(
        'invalid_request',
        'client_id in the body differs from the client in the Authorization header',
      )
    }
    return { method: 'client_secret_basic', ...credentials }
  }
  if (bodySecret !== null) {
    if (bodyClientId === null) {
      throw new OAuthError('invalid_request', 'client_secret was sent without client_id')
    }
    return { method: 'client_secret_post', clientId: bodyClientId, clientSecret: bodySecret }
  }
  if (assertion !== null || assertionType !== null) {
    return { method: 'private_key_jwt', clientId: bodyClientId, assertion, assertionType }
  }
  if (bodyClientId !== null) return { method: 'none', clientId: bodyClientId }
  throw invalidClient(
    'client authentication is required: send client credentials (Authorization: Basic, client_secret, client_assertion) or, for a public client, client_id',
    { basic: true, realm },
  )
}
