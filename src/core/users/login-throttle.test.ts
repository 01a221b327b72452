import { randomBytes, scryptSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { TokenBucketLimiter } from '../rate-limit/token-bucket-limiter.js'
import type { UserRecord } from '../store/store.js'
import type { LoginThrottleOptions, SignInResult } from './login-throttle.js'
import { KNOWN_ADDRESS_SECONDS, LoginThrottle } from './login-throttle.js'

const PASSWORD = 'correct horse battery staple'
const T0 = 1_750_000_000_000

/**
 * A stored hash in password-hash.ts's format with N = 16 instead of 2^15, so that the hundred
 * checks below take milliseconds; verifyPassword reads the parameters from the string.
 */
function cheapHash(password: string): string {
  const salt = randomBytes(16)
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: 16, r: 8, p: 1 })
  return `scrypt$16$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`
}

const ALICE: UserRecord = {
  id: 'user-alice',
  username: 'alice',
  passwordHash: cheapHash(PASSWORD),
  createdAt: T0 / 1000,
}

/** The three store methods the throttle uses, in memory, counting the password checks. */
function memoryStore() {
  const signIns = new Map<string, number>()
  let lookups = 0
  let knownAddressQueries = 0
  const store: LoginThrottleOptions['store'] = {
    async findUserByUsername(username) {
      lookups++
      return username === ALICE.username ? ALICE : null
    },
    async recordSignIn(userId, addressKey, at) {
      const key = `${userId} ${addressKey}`
      signIns.set(key, Math.max(at, signIns.get(key) ?? 0))
    },
    async hasSignedInFrom(userId, addressKey, since) {
      knownAddressQueries++
      return (signIns.get(`${userId} ${addressKey}`) ?? Number.NEGATIVE_INFINITY) >= since
    },
  }
  // Every password check looks its user up once; so does every known-address question about
  // alice (then asking hasSignedInFrom), which checks no password.
  return { store, signIns, checks: () => lookups - knownAddressQueries }
}

function throttle(
  options: { readonly max?: number; readonly hashes?: number; readonly off?: boolean } = {},
) {
  const memory = memoryStore()
  const failures = new TokenBucketLimiter({ max: options.max ?? 3, windowSeconds: 900 })
  const limiter = new LoginThrottle({
    store: memory.store,
    failures: options.off === true ? null : failures,
    maxConcurrentHashes: options.hashes ?? 100,
    ipv6PrefixLength: 64,
  })
  const signIn = (username: string, password: string, ip: string | null, nowMs = T0) =>
    limiter.signIn({ username, password, ip }, nowMs)
  return { ...memory, signIn }
}

const outcomes = (results: readonly SignInResult[]) => results.map((result) => result.outcome)

describe('LoginThrottle: failures counted per username and per address before the hash', () => {
  it('allows max failures, then locks without checking the password until one has refilled', async () => {
    const { signIn, checks } = throttle({ max: 3 })
    for (let i = 0; i < 3; i++) {
      expect(await signIn('alice', 'wrong', '192.0.2.1')).toEqual({
        outcome: 'wrong_credentials',
      })
    }
    // One failure refills every 900 / 3 = 300 s.
    expect(await signIn('alice', PASSWORD, '192.0.2.2')).toEqual({
      outcome: 'locked',
      retryAfterSeconds: 300,
    })
    expect(checks()).toBe(3)
    expect(await signIn('alice', PASSWORD, '192.0.2.2', T0 + 300_000)).toMatchObject({
      outcome: 'signed_in',
      user: ALICE,
    })
  })

  it('of attempts at once, exactly max are checked and the rest are locked: a right password among them cannot slip through', async () => {
    const { signIn, checks } = throttle({ max: 3 })
    const attempts = Array.from({ length: 10 }, (_, i) =>
      signIn('alice', i === 6 ? PASSWORD : `wrong-${i}`, `198.51.100.${i}`),
    )
    const results = await Promise.all(attempts)
    expect(outcomes(results.slice(0, 3))).toEqual(Array(3).fill('wrong_credentials'))
    expect(outcomes(results.slice(3))).toEqual(Array(7).fill('locked'))
    expect(checks()).toBe(3)
  })

  it('a right password gives its tokens back: signing in often never locks anyone', async () => {
    const { signIn } = throttle({ max: 2 })
    for (let i = 0; i < 10; i++) {
      expect((await signIn('alice', PASSWORD, '192.0.2.1')).outcome).toBe('signed_in')
    }
    expect((await signIn('alice', 'wrong', '192.0.2.1')).outcome).toBe('wrong_credentials')
    expect((await signIn('alice', 'wrong', '192.0.2.1')).outcome).toBe('wrong_credentials')
    expect((await signIn('alice', PASSWORD, '192.0.2.1')).outcome).toBe('locked')
  })

  it('a locked address refuses everyone from it, and costs the username nothing', async () => {
    const { signIn } = throttle({ max: 2 })
    expect((await signIn('nobody-1', 'x', '192.0.2.1')).outcome).toBe('wrong_credentials')
    expect((await signIn('nobody-2', 'x', '192.0.2.1')).outcome).toBe('wrong_credentials')
    for (let i = 0; i < 5; i++) {
      expect((await signIn('alice', 'wrong', '192.0.2.1')).outcome).toBe('locked')
    }
    // Those five took no token of alice's: from elsewhere she still has both.
    expect((await signIn('alice', 'wrong', '198.51.100.1')).outcome).toBe('wrong_credentials')
    expect((await signIn('alice', PASSWORD, '198.51.100.1')).outcome).toBe('signed_in')
  })

  it('a locked username gives the address its token back', async () => {
    const { signIn } = throttle({ max: 2 })
    await signIn('alice', 'wrong', '198.51.100.1')
    await signIn('alice', 'wrong', '198.51.100.2')
    for (let i = 0; i < 5; i++) {
      expect((await signIn('alice', 'wrong', '192.0.2.1')).outcome).toBe('locked')
    }
    expect((await signIn('bob', 'x', '192.0.2.1')).outcome).toBe('wrong_credentials')
    expect((await signIn('carol', 'x', '192.0.2.1')).outcome).toBe('wrong_credentials')
  })

  it('counts the addresses of one IPv6 /64 as one, and IPv4-mapped IPv6 as the IPv4 address', async () => {
    const { signIn } = throttle({ max: 2 })
    expect((await signIn('a', 'x', '2001:db8:1:2::1')).outcome).toBe('wrong_credentials')
    expect((await signIn('b', 'x', '2001:db8:1:2:aaaa::9')).outcome).toBe('wrong_credentials')
    expect((await signIn('c', 'x', '2001:db8:1:2:ffff::1')).outcome).toBe('locked')
    expect((await signIn('d', 'x', '2001:db8:1:3::1')).outcome).toBe('wrong_credentials')
    await signIn('e', 'x', '192.0.2.9')
    await signIn('f', 'x', '::ffff:192.0.2.9')
    expect((await signIn('g', 'x', '192.0.2.9')).outcome).toBe('locked')
  })

  it('without an address, only the username counts', async () => {
    const { signIn, signIns } = throttle({ max: 1 })
    expect((await signIn('alice', 'wrong', null)).outcome).toBe('wrong_credentials')
    expect((await signIn('alice', PASSWORD, null)).outcome).toBe('locked')
    expect((await signIn('bob', 'x', null)).outcome).toBe('wrong_credentials')
    expect(signIns.size).toBe(0)
  })
})

describe('LoginThrottle: the owner passes a username lock from an address they signed in from', () => {
  /** alice signed in from `home`; then a guesser elsewhere locked her username. */
  async function lockedOutOwner(home: string, max = 2) {
    const t = throttle({ max })
    expect((await t.signIn('alice', PASSWORD, home)).outcome).toBe('signed_in')
    for (let i = 0; i < max; i++) await t.signIn('alice', `guess-${i}`, `203.0.113.${i}`)
    expect((await t.signIn('alice', PASSWORD, '203.0.113.200')).outcome).toBe('locked')
    return t
  }

  it('the right password from the known address signs in; from an unknown one it stays locked', async () => {
    const { signIn, signIns } = await lockedOutOwner('192.0.2.1')
    expect(signIns.get('user-alice 192.0.2.1')).toBe(T0 / 1000)
    expect(await signIn('alice', PASSWORD, '192.0.2.1')).toMatchObject({ outcome: 'signed_in' })
    expect((await signIn('alice', PASSWORD, '198.51.100.1')).outcome).toBe('locked')
  })

  it('known by its /64: the owner’s next temporary IPv6 address passes too', async () => {
    const { signIn } = await lockedOutOwner('2001:db8:5:6::1')
    expect((await signIn('alice', PASSWORD, '2001:db8:5:6:9:8:7:6')).outcome).toBe('signed_in')
  })

  it('a wrong password from the known address is still locked, and counts against the address', async () => {
    const { signIn } = await lockedOutOwner('192.0.2.1', 3)
    // One failure refills every 900 / 3 = 300 s.
    expect(await signIn('alice', 'wrong', '192.0.2.1')).toEqual({
      outcome: 'locked',
      retryAfterSeconds: 300,
    })
    // Signing in at T0 gave the address's token back, so it had 3; two are left.
    expect((await signIn('alice', 'wrong', '192.0.2.1')).outcome).toBe('locked')
    expect((await signIn('alice', 'wrong', '192.0.2.1')).outcome).toBe('locked')
    // The address's own bucket is empty now: it binds the owner too.
    expect((await signIn('alice', PASSWORD, '192.0.2.1')).outcome).toBe('locked')
  })

  it('a sign-in more than 30 days old no longer counts', async () => {
    const t = throttle({ max: 1 })
    await t.signIn('alice', PASSWORD, '192.0.2.1', T0 - KNOWN_ADDRESS_SECONDS * 1000 - 1000)
    await t.signIn('alice', 'guess', '203.0.113.1')
    expect((await t.signIn('alice', PASSWORD, '192.0.2.1')).outcome).toBe('locked')
  })

  it('nothing is remembered when failures are not counted (loginThrottle: false)', async () => {
    const { signIn, signIns } = throttle({ off: true })
    for (let i = 0; i < 20; i++) await signIn('alice', 'wrong', '192.0.2.1')
    expect((await signIn('alice', PASSWORD, '192.0.2.1')).outcome).toBe('signed_in')
    expect(signIns.size).toBe(0)
  })
})

describe('LoginThrottle: at most maxConcurrentHashes password checks at once', () => {
  it('an attempt beyond the cap is busy at once, with Retry-After 1, and its tokens are given back', async () => {
    const { signIn, checks } = throttle({ max: 3, hashes: 2 })
    const results = await Promise.all(
      Array.from({ length: 3 }, () => signIn('alice', 'wrong', '192.0.2.1')),
    )
    expect(outcomes(results)).toEqual(['wrong_credentials', 'wrong_credentials', 'busy'])
    expect(results[2]).toEqual({ outcome: 'busy', retryAfterSeconds: 1 })
    expect(checks()).toBe(2)
    // The busy attempt counted nowhere: a third check is still allowed, then the lock.
    expect((await signIn('alice', PASSWORD, '192.0.2.1')).outcome).toBe('signed_in')
  })

  it('the cap holds when failures are not counted', async () => {
    const { signIn } = throttle({ off: true, hashes: 1 })
    const results = await Promise.all([
      signIn('alice', 'wrong', null),
      signIn('alice', PASSWORD, null),
    ])
    expect(outcomes(results)).toEqual(['wrong_credentials', 'busy'])
  })
})
