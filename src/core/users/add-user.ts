import { randomToken } from '../crypto/random-token.js'
import type { Store, UserRecord } from '../store/store.js'
import { checkPassword, checkUsername } from './check-credentials.js'
import { hashPassword } from './password-hash.js'

/**
 * Creates a built-in user with a scrypt-hashed password. The id is random, never derived from
 * the username, so it stays apart from anything a client could choose (RFC 9700 §4.15.1) and a
 * user added again under the same name is a different subject. Throws TypeError for a bad
 * username or password, and when the username is taken.
 */
export async function addUser(
  store: Store,
  username: string,
  password: string,
  now: number,
): Promise<UserRecord> {
  checkUsername(username)
  checkPassword(password)
  if ((await store.findUserByUsername(username)) !== null) {
    throw new TypeError(`a user named '${username}' already exists`)
  }
  const user: UserRecord = {
    id: randomToken(16),
    username,
    passwordHash: await hashPassword(password),
    createdAt: now,
  }
  await store.createUser(user)
  return user
}
