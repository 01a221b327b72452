import { hashSecret } from '../../core/crypto/hash-secret.js'
import { randomToken } from '../../core/crypto/random-token.js'
import type { SessionRecord, Store, UserRecord } from '../../core/store/store.js'
import type { CookieNames } from './cookies.js'
import { readCookie } from './cookies.js'

/** A signed-in browser: its session and the user behind it. */
export interface CurrentSession {
  /** The id from the cookie, in clear: the secret the session's CSRF tokens derive from. */
  readonly id: string
  readonly record: SessionRecord
  readonly user: UserRecord
}

/**
 * The session the request's cookie names, if it exists, has not expired and its user still
 * exists. Only the SHA-256 of the id is looked up (the store never holds the id itself).
 */
export async function currentSession(
  store: Store,
  request: Request,
  names: CookieNames,
  now: number,
): Promise<CurrentSession | null> {
  const id = readCookie(request.headers.get('cookie'), names.session)
  if (id === null) return null
  const record = await store.findSession(hashSecret(id), now)
  if (record === null) return null
  const user = await store.getUser(record.userId)
  if (user === null) return null
  return { id, record, user }
}

/**
 * Starts a session after a successful password check: a fresh 256-bit id every time, never one
 * the browser already had, so an id planted before login is useless afterwards (session
 * fixation). Returns the id for the cookie.
 */
export async function startSession(
  store: Store,
  userId: string,
  now: number,
  ttlSeconds: number,
): Promise<string> {
  const id = randomToken(32)
  await store.createSession({
    idHash: hashSecret(id),
    userId,
    authTime: now,
    createdAt: now,
    expiresAt: now + ttlSeconds,
  })
  return id
}

export async function endSession(store: Store, id: string): Promise<void> {
  await store.deleteSession(hashSecret(id))
}
