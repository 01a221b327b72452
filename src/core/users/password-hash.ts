import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * End-user passwords are hashed with scrypt, a memory-hard function, so that a stolen users
 * table costs an attacker memory as well as time per guess. Parameters N = 2^15, r = 8, p = 3:
 * one of OWASP's equivalent scrypt settings (Password Storage Cheat Sheet), 32 MiB per hash and
 * about 450 ms on one core of these machines, run on libuv's thread pool so the event loop
 * stays free. 16-byte salt, 32-byte key. The stored string names its parameters, so they can
 * rise later without breaking old hashes: `scrypt$N$r$p$salt$key` (base64url).
 */
const N = 2 ** 15
const R = 8
const P = 3
const KEY_BYTES = 32

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is exactly that, so allow twice.
    const options = { N: n, r, p, maxmem: 2 * 128 * n * r }
    // NFC: the same password typed on two keyboards may arrive composed or decomposed.
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => {
      if (error) reject(error)
      else resolve(key)
    })
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, N, R, P)
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** Constant-time check of a password against a stored hash; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key, extra] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || key === undefined || extra !== undefined)
    return false
  const [cost, block, parallel] = [Number(n), Number(r), Number(p)]
  // Bounds keep a corrupt row from asking for gigabytes or hours.
  const sane =
    Number.isInteger(cost) &&
    cost >= 2 &&
    cost <= 2 ** 20 &&
    (cost & (cost - 1)) === 0 &&
    Number.isInteger(block) &&
    block >= 1 &&
    block <= 32 &&
    Number.isInteger(parallel) &&
    parallel >= 1 &&
    parallel <= 16
  if (!sane) return false
  const expected = Buffer.from(key, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'), cost, block, parallel)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

let dummy: Promise<string> | undefined

/**
 * Verifies against a hash of a random password, for logins naming an unknown user, so that the
 * time a failed login takes does not tell whether the username exists. Made on first use.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(password, await dummy)
  return false
}
