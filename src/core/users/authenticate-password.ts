import type { Store, UserRecord } from '../store/store.js'
import { MAX_PASSWORD_LENGTH } from './check-credentials.js'
import { verifyAgainstDummy, verifyPassword } from './password-hash.js'

/**
 * Checks a username and password against the built-in users. An unknown username costs the
 * same scrypt work as a wrong password (verifyAgainstDummy), so the time a failure takes does
 * not tell an attacker which usernames exist. Returns the user, or null for any failure.
 */
export async function authenticatePassword(
  store: Pick<Store, 'findUserByUsername'>,
  username: string,
  password: string,
): Promise<UserRecord | null> {
  // No password this long can have been stored (check-credentials.ts), yet refusing it costs a
  // hash all the same, so that its length is not a faster way to fail.
  if (password.length > MAX_PASSWORD_LENGTH) {
    await verifyAgainstDummy(password.slice(0, MAX_PASSWORD_LENGTH))
    return null
  }
  const user = await store.findUserByUsername(username)
  if (user === null) {
    await verifyAgainstDummy(password)
    return null
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null
}
