import { OAuthError, quote } from '../../errors.js'
import type { ClientRecord, Store } from '../store/store.js'
import { findRegisteredRedirectUri } from './match-redirect-uri.js'
import type { AuthorizationParameters } from './read-authorization-parameters.js'

/** The client and the redirect URI an authorization response may be sent to. */
export interface TrustedRedirect {
  readonly client: ClientRecord
  /** As requested (a loopback port included), or the one registered URI when none was sent. */
  readonly redirectUri: string
  /** RFC 6749 §4.1.3: when the request carried redirect_uri, the token request must repeat it. */
  readonly redirectUriInRequest: boolean
}

/**
 * The first step of an authorization request: which client, and where its answer may go.
 * Every error here is one RFC 6749 §4.1.2.1 forbids redirecting ("the authorization server
 * SHOULD inform the resource owner of the error and MUST NOT automatically redirect the
 * user-agent to the invalid redirection URI"), since sending it on would make the server an open
 * redirector (RFC 9700 §4.11.2): the caller shows it on an error page. A deleted client is an
 * unknown client.
 */
export async function identifyClientAndRedirect(
  store: Store,
  params: AuthorizationParameters,
): Promise<TrustedRedirect> {
  for (const name of ['client_id', 'redirect_uri']) {
    if (params.duplicates.includes(name)) {
      // OAuth 2.1 §3.1: parameters MUST NOT be included more than once.
      throw new OAuthError('invalid_request', `${name} is included more than once`)
    }
  }
  const clientId = params.get('client_id')
  if (clientId === null) throw new OAuthError('invalid_request', 'client_id is required')
  const client = await store.getClient(clientId)
  if (client === null) {
    throw new OAuthError(
      'invalid_client',
      `no client is registered with client_id ${quote(clientId)}; it may have been deleted: register again`,
    )
  }

  const registered = client.metadata.redirect_uris
  const requested = params.get('redirect_uri')
  if (requested === null) {
    // OAuth 2.1 §2.3.2: optional only when exactly one redirect URI is registered.
    const [only] = registered
    if (registered.length === 1 && only !== undefined) {
      return { client, redirectUri: only, redirectUriInRequest: false }
    }
    throw new OAuthError(
      'invalid_request',
      registered.length === 0
        ? 'this client has no redirect URI registered, so it cannot use the authorization endpoint'
        : 'redirect_uri is required: this client registered more than one',
    )
  }
  if (findRegisteredRedirectUri(requested, registered) === null) {
    throw new OAuthError(
      'invalid_request',
      `redirect_uri ${quote(requested)} does not exactly match any redirect URI registered for this client`,
    )
  }
  return { client, redirectUri: requested, redirectUriInRequest: true }
}
