import { newTimeKeyedToken, timeKeyedDigest } from '../crypto/time-keyed-token.js'
import { timeOrderedId } from '../crypto/time-ordered-id.js'
import type { AuthorizationCodeRecord, Store } from '../store/store.js'
import type { AuthenticatedUser } from '../users/authenticated-user.js'
import type { AuthorizationRequest } from './parse-authorization-request.js'

/**
 * RFC 6749 §4.1.2: a single-use code, 256 random bits (§10.10 asks for at most 2^-128 odds of a
 * guess), stored only as its SHA-256 so a database leak yields no usable codes. It is bound to
 * everything the token request must match: client, redirect URI (and whether one was sent),
 * PKCE challenge (RFC 7636 §4.4), scope, resources (RFC 8707 §2.2), user, and a fresh grant id
 * that every token descended from it shares, so a replay can revoke them all (§4.1.2).
 * Returns the code in clear, for the redirect.
 */
export async function issueAuthorizationCode(
  store: Store,
  request: Extract<AuthorizationRequest, { readonly responseType: 'code' }>,
  user: AuthenticatedUser,
  now: number,
  ttlSeconds: number,
): Promise<string> {
  const code = newTimeKeyedToken()
  const record: AuthorizationCodeRecord = {
    codeHash: timeKeyedDigest(code),
    clientId: request.client.clientId,
    userId: user.id,
    redirectUri: request.redirectUri,
    redirectUriInRequest: request.redirectUriInRequest,
    scope: request.scopes.join(' '),
    resources: request.resources,
    codeChallenge: request.codeChallenge,
    authTime: user.authTime ?? now,
    grantId: timeOrderedId(),
    issuedAt: now,
    expiresAt: now + ttlSeconds,
    consumedAt: null,
  }
  await store.createAuthorizationCode(record)
  return code
}
