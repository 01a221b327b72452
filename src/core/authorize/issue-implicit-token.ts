import { newTimeKeyedToken, timeKeyedDigest } from '../crypto/time-keyed-token.js'
import { timeOrderedId } from '../crypto/time-ordered-id.js'
import type { Store, TokenRecord } from '../store/store.js'
import type { AuthenticatedUser } from '../users/authenticated-user.js'
import type { AuthorizationRequest } from './parse-authorization-request.js'

export interface ImplicitToken {
  readonly accessToken: string
  readonly expiresIn: number
}

/**
 * RFC 6749 §4.2.2: the implicit grant answers with an access token in the redirect itself; no
 * refresh token (§4.2.2 "MUST NOT issue a refresh token"). Only reachable when the host enabled
 * it and the client registered for it. The token is opaque, 256 random bits, stored hashed and
 * bound to the requested resources like any other.
 */
export async function issueImplicitToken(
  store: Store,
  request: AuthorizationRequest,
  user: AuthenticatedUser,
  now: number,
  ttlSeconds: number,
): Promise<ImplicitToken> {
  const accessToken = newTimeKeyedToken()
  const record: TokenRecord = {
    tokenHash: timeKeyedDigest(accessToken),
    kind: 'access',
    clientId: request.client.clientId,
    userId: user.id,
    scope: request.scopes.join(' '),
    resources: request.resources,
    grantId: timeOrderedId(),
    issuedAt: now,
    expiresAt: now + ttlSeconds,
    revokedAt: null,
    rotatedAt: null,
  }
  await store.createTokens([record])
  return { accessToken, expiresIn: ttlSeconds }
}
