import { randomBytes } from 'node:crypto'

/**
 * A random value for a client_id, secret or bearer token, base64url without padding.
 * 32 bytes = 256 bits: far beyond guessing (RFC 6749 §10.10 asks for ≤ 2^-128 odds, RFC 7592 §5
 * for enough entropy), and the ids never start with `https://`, so they never collide with
 * Client ID Metadata Document URLs (CIMD §6.9).
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/**
 * A client_id: 128 random bits, unguessable, never of the `https://` form of CIMD client ids
 * (CIMD §6.9), and starting with a letter or digit, because about 1 in 32 base64url strings
 * begins with `-` or `_`, and an id like `-x3…` reads as an option on an operator's command line.
 */
export function randomClientId(): string {
  for (;;) {
    const id = randomToken(16)
    if (/^[A-Za-z0-9]/.test(id)) return id
  }
}
