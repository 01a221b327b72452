import { randomBytes, randomFillSync } from 'node:crypto'

/**
 * Random bytes are drawn a pool at a time. `randomBytes` per token costs a call into OpenSSL's
 * CSPRNG (and a Buffer) for every 32 bytes, ~3.6% of the CPU of POST /register in the profile;
 * one 4 KiB `randomFillSync` serves ~128 tokens. Each token is the next unused slice, and the
 * pool is refilled (its unused tail dropped) before a slice would run past the end, so no byte is
 * ever handed out twice. Filled lazily, so nothing is drawn at import.
 */
const POOL_BYTES = 4096
const pool = Buffer.alloc(POOL_BYTES)
let poolOffset = POOL_BYTES

/**
 * A random value for a secret or bearer token, base64url without padding.
 * 32 bytes = 256 bits: far beyond guessing (RFC 6749 §10.10 asks for ≤ 2^-128 odds, RFC 7592 §5
 * for enough entropy).
 */
export function randomToken(bytes = 32): string {
  return randomText(bytes, 'base64url')
}

/** `bytes` random bytes as lower-case hex, from the same pool. */
export function randomHex(bytes: number): string {
  return randomText(bytes, 'hex')
}

function randomText(bytes: number, encoding: 'base64url' | 'hex'): string {
  // Larger than the pool, or not a whole byte count: randomBytes, which keeps its own checks.
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > POOL_BYTES) {
    return randomBytes(bytes).toString(encoding)
  }
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const text = pool.toString(encoding, poolOffset, poolOffset + bytes)
  poolOffset += bytes
  return text
}
