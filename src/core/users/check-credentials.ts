/**
 * What a built-in username and password may be, checked when an administrator creates a user
 * (`registrar user add`). Mistakes are the operator's, so they throw TypeError (STYLE rule 4),
 * which the CLI prints as a usage error.
 */

/** Bounds the work one login can ask of scrypt and the size of the users table. */
export const MAX_PASSWORD_LENGTH = 1024
export const MAX_USERNAME_LENGTH = 255

// C0 and C1 controls, DEL, line/paragraph separators and bidirectional overrides: a username is
// shown on pages and in logs, where these spoof or break lines (as for client_name).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/

/**
 * Usernames compare exactly (UserRecord.username), so invisible differences are refused rather
 * than normalised: no surrounding whitespace, no control characters.
 */
export function checkUsername(username: string): void {
  if (username === '') throw new TypeError('username must not be empty')
  if (username.length > MAX_USERNAME_LENGTH) {
    throw new TypeError(`username must be at most ${MAX_USERNAME_LENGTH} characters`)
  }
  if (CONTROL.test(username)) throw new TypeError('username must not contain control characters')
  if (username.trim() !== username) {
    throw new TypeError('username must not begin or end with whitespace')
  }
}

export function checkPassword(password: string): void {
  if (password === '') throw new TypeError('password must not be empty')
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new TypeError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`)
  }
}

/** NIST SP 800-63B §3.1.1.2: at least 8 characters. Shorter ones are allowed, with a warning. */
export function isShortPassword(password: string): boolean {
  return [...password].length < 8
}
