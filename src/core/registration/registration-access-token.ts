import { invalidBearerToken, OAuthError } from '../../errors.js'
import { parseBearerAuthorization } from '../bearer/parse-bearer-authorization.js'
import { newTimeKeyedToken, timeKeyedDigest } from '../crypto/time-keyed-token.js'
import type { ClientRecord, Store } from '../store/store.js'
import type { ManagementSettings } from './registration-settings.js'

export interface IssuedRegistrationAccessToken {
  readonly token: string
  readonly hash: string
  readonly expiresAt: number | null
}

/**
 * RFC 7592 §1.3, §5: the registration access token is a bearer credential for one client's
 * configuration endpoint only. 256 random bits (§5 asks for enough entropy against guessing);
 * only its SHA-256 digest is stored, in the client's own row, so it can never be confused with
 * an OAuth access token.
 */
export function issueRegistrationAccessToken(
  management: ManagementSettings,
  now: number,
): IssuedRegistrationAccessToken {
  const token = newTimeKeyedToken()
  return {
    token,
    hash: timeKeyedDigest(token),
    expiresAt:
      management.tokenExpiresInSeconds === null ? null : now + management.tokenExpiresInSeconds,
  }
}

// docs/decisions.md A1: one answer for every refusal, so that nothing tells an unknown client from a
// wrong, expired or rotated-out token.
const REFUSED =
  'the registration access token is invalid, expired or no longer valid for this client'

/**
 * RFC 7592 §2.1-§2.3: authenticates a request to `registration_client_uri` and returns the client
 * and the token as presented (§3 echoes it, since only its hash is kept).
 */
export async function authenticateRegistrationAccessToken(
  store: Store,
  management: ManagementSettings,
  clientIdFromUri: string,
  authorization: string | null,
  now: number,
): Promise<{ readonly client: ClientRecord; readonly token: string }> {
  const token = parseBearerAuthorization(authorization)
  if (token === null || token === 'malformed') throw invalidBearerToken(REFUSED, true)
  const client = await store.findClientByRegistrationAccessTokenHash(timeKeyedDigest(token))
  if (client === null) throw invalidBearerToken(REFUSED, true)
  if (client.clientId !== clientIdFromUri) {
    // RFC 7592 §2.1: a token presented for another client SHOULD be revoked at once: whoever
    // holds it is probing, or the client is broken in a way a new registration fixes.
    await store.revokeRegistrationAccessToken(client.clientId)
    throw invalidBearerToken(REFUSED, true)
  }
  if (
    client.registrationAccessTokenExpiresAt !== null &&
    client.registrationAccessTokenExpiresAt <= now
  ) {
    throw invalidBearerToken(REFUSED, true)
  }
  // RFC 7592 §2.1: a client with no permission on its own record gets 403.
  if (client.provenance.origin === 'admin' && !management.allowAdminClients) {
    throw new OAuthError(
      'access_denied',
      'this client was created by an administrator and cannot manage its registration here',
    )
  }
  return { client, token }
}
