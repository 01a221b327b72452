import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Secrets and tokens are stored only as SHA-256 digests. They are 256-bit random values, so a
 * fast hash is enough: a slow password hash buys nothing against values that cannot be guessed,
 * and it would cost every token request milliseconds.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url')
}

/** Compares a presented secret with a stored digest in constant time (RFC 6749 §10.3 spirit). */
export function verifySecret(presented: string, storedHash: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = Buffer.from(storedHash, 'base64url')
  // Both are 32 bytes unless the stored value is corrupt; timingSafeEqual throws on a length
  // difference, which must read as "no match", not as an error.
  return a.length === b.length && timingSafeEqual(a, b)
}
