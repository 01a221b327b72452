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
