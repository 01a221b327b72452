import { invalidBearerToken } from '../../errors.js'
import { parseBearerAuthorization } from '../bearer/parse-bearer-authorization.js'
import { hashSecret } from '../crypto/hash-secret.js'
import { randomToken } from '../crypto/random-token.js'
import type { InitialAccessTokenRecord, Store } from '../store/store.js'

export interface IssueInitialAccessTokenInput {
  /** Seconds until the token expires; null or undefined: never. */
  readonly expiresInSeconds?: number | null
  /** How many registrations it admits; null or undefined: unlimited. */
  readonly maxUses?: number | null
  readonly description?: string | null
}

/**
 * RFC 7591 §3: an initial access token lets its holder register clients. It is shown once and
 * stored as a SHA-256 digest (256 random bits, so no slow hash is needed).
 */
export async function issueInitialAccessToken(
  store: Store,
  input: IssueInitialAccessTokenInput,
  now: number,
): Promise<{ readonly token: string; readonly record: InitialAccessTokenRecord }> {
  const expiresIn = input.expiresInSeconds ?? null
  const maxUses = input.maxUses ?? null
  if (expiresIn !== null && (!Number.isInteger(expiresIn) || expiresIn <= 0)) {
    throw new TypeError('expiresInSeconds must be a positive integer')
  }
  if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses <= 0)) {
    throw new TypeError('maxUses must be a positive integer')
  }
  const token = randomToken()
  const record: InitialAccessTokenRecord = {
    id: randomToken(9),
    tokenHash: hashSecret(token),
    createdAt: now,
    expiresAt: expiresIn === null ? null : now + expiresIn,
    maxUses,
    uses: 0,
    revokedAt: null,
    description: input.description ?? null,
  }
  await store.createInitialAccessToken(record)
  return { token, record }
}

/**
 * RFC 7591 §3 with RFC 6750 §3.1: a missing token gets a bare `Bearer` challenge; a wrong,
 * expired, revoked or used-up token gets `error="invalid_token"`, all with the same description
 * so the answer does not tell which.
 */
export async function authenticateInitialAccessToken(
  store: Store,
  authorization: string | null,
  now: number,
): Promise<InitialAccessTokenRecord> {
  const token = parseBearerAuthorization(authorization)
  if (token === null) {
    throw invalidBearerToken(
      'an initial access token is required to register a client on this server',
      false,
    )
  }
  const record =
    token === 'malformed' ? null : await store.findInitialAccessTokenByHash(hashSecret(token))
  if (record === null || !isInitialAccessTokenUsable(record, now)) {
    throw invalidBearerToken(
      'the initial access token is invalid, expired, revoked or used up',
      true,
    )
  }
  return record
}

/** A usable initial access token: not revoked, not expired, uses left (RFC 7591 §3). */
export function isInitialAccessTokenUsable(token: InitialAccessTokenRecord, now: number): boolean {
  if (token.revokedAt !== null) return false
  if (token.expiresAt !== null && token.expiresAt <= now) return false
  if (token.maxUses !== null && token.uses >= token.maxUses) return false
  return true
}
