import { OAuthError } from '../../errors.js'
import { timeKeyedDigest } from '../crypto/time-keyed-token.js'
import type { ClientRecord, Store } from '../store/store.js'
import type { RequestParameters } from './request-parameters.js'

export interface RevocationDeps {
  readonly store: Pick<Store, 'findToken' | 'revokeToken' | 'revokeGrant'>
  readonly now: () => number
}

/**
 * RFC 7009 §2.1: revokes a token of the authenticated client. The answer is the same 200
 * whatever happened (§2.2: an invalid token is no error, since the client's goal is reached), so
 * it tells nothing about tokens the caller does not own.
 */
export async function revokeToken(
  deps: RevocationDeps,
  client: ClientRecord,
  params: RequestParameters,
): Promise<void> {
  const token = params.get('token')
  // RFC 7009 §2.1: token is REQUIRED.
  if (token === null) throw new OAuthError('invalid_request', 'token is required')
  // RFC 7009 §2.1: token_type_hint is only a hint, and a wrong one must not stop the search;
  // one table holds both kinds, so the lookup is the same either way and the hint is not read.
  const tokenHash = timeKeyedDigest(token)
  const record = await deps.store.findToken(tokenHash)
  // RFC 7009 §2.1: the server "verifies whether the token was issued to the client making the
  // revocation request"; docs/decisions.md A23: another client's token stays valid and the answer is
  // the same 200 as for an unknown token.
  if (record === null || record.clientId !== client.clientId) return
  const now = deps.now()
  if (record.kind === 'refresh') {
    // RFC 7009 §2.1: revoking a refresh token SHOULD also invalidate the access tokens of the
    // same grant; revoking the grant does both at once.
    await deps.store.revokeGrant(record.grantId, now)
  } else {
    await deps.store.revokeToken(tokenHash, now)
  }
}
