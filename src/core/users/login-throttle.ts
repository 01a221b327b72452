import { addressKey } from '../rate-limit/address-key.js'
import { ConcurrencyLimit } from '../rate-limit/concurrency-limit.js'
import type { RateLimiter } from '../rate-limit/rate-limiter.js'
import type { Store, UserRecord } from '../store/store.js'
import { authenticatePassword } from './authenticate-password.js'

/** How long a successful sign-in from an address lets the owner past a username lock there. */
export const KNOWN_ADDRESS_SECONDS = 30 * 24 * 60 * 60

/** One scrypt hash takes about 0.45 s (password-hash.ts): a slot is free again within 1 s. */
const BUSY_RETRY_AFTER_SECONDS = 1

export type SignInResult =
  | { readonly outcome: 'signed_in'; readonly user: UserRecord }
  | { readonly outcome: 'wrong_credentials' }
  /** A bucket is empty: retry after this long (RFC 9110 §10.2.3). */
  | { readonly outcome: 'locked'; readonly retryAfterSeconds: number }
  /** Every password hash slot is taken. */
  | { readonly outcome: 'busy'; readonly retryAfterSeconds: number }

export interface LoginThrottleOptions {
  readonly store: Pick<Store, 'findUserByUsername' | 'recordSignIn' | 'hasSignedInFrom'>
  /** The failure buckets; null: not counted (options.authorization.loginThrottle false). */
  readonly failures: RateLimiter | null
  /** options.authorization.maxConcurrentPasswordHashes. */
  readonly maxConcurrentHashes: number
  /** options.rateLimitIpv6PrefixLength. */
  readonly ipv6PrefixLength: number
}

/** The tokens an attempt holds, and the username lock it passed as the owner, if it did. */
interface Admitted {
  readonly taken: readonly string[]
  readonly passedLock: number | null
}

const WRONG: SignInResult = { outcome: 'wrong_credentials' }
const BUSY: SignInResult = { outcome: 'busy', retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS }

/**
 * Every password sign-in, at the login page and through the password grant alike, goes through
 * here. It slows guessing (RFC 6749 §10.7 asks servers to protect the resource owner's
 * credentials; §4.3.2: the password grant "MUST protect the endpoint against brute force
 * attacks"; RFC 9700 §4.15) and keeps the guessing from costing the server its CPU.
 *
 * What is counted: failed sign-ins, per username and per client address (an IPv6 address by its
 * prefix: address-key.ts), each in a token bucket of `max` failures refilled over the window.
 *
 * When: one token is taken from each bucket BEFORE the password is hashed, atomically (the
 * RateLimiter port), and given back once the password turns out right, so a success never
 * counts. Taken first, because a check now and a count half a second later (scrypt) let every
 * attempt that arrives in between pass: 30 at once all passed a limit of 10 that way. An attempt
 * refused by a bucket is answered at once, costs no hash, and the other bucket's token is given
 * back: a refused attempt counts against nobody. Successful sign-ins are never counted, so
 * people behind one address (an office, a NAT) are held back only by their own mistakes.
 *
 * The owner is not shut out: a username lock that someone else caused is passed by the right
 * password from an address key the user signed in from within the last 30 days
 * (Store.hasSignedInFrom, recorded on each successful sign-in while throttling is on). The
 * address's own bucket still applies to it, and a wrong password there is answered as locked.
 *
 * The hash itself: at most `maxConcurrentHashes` scrypt runs at once (ConcurrencyLimit); an
 * attempt beyond them is answered `busy` at once, its tokens given back (it checked nothing).
 *
 * The buckets live in the limiter it is given: in the database when the store offers one
 * (PostgreSQL), so every instance counts the same failures; otherwise in this process. A lock
 * only delays, never disables an account for good.
 */
export class LoginThrottle {
  readonly #store: LoginThrottleOptions['store']
  readonly #failures: RateLimiter | null
  readonly #hashes: ConcurrencyLimit
  readonly #ipv6PrefixLength: number

  constructor(options: LoginThrottleOptions) {
    this.#store = options.store
    this.#failures = options.failures
    this.#hashes = new ConcurrencyLimit(options.maxConcurrentHashes)
    this.#ipv6PrefixLength = options.ipv6PrefixLength
  }

  /**
   * One sign-in attempt with a username and password from `ip` (null: no address known, so only
   * the username counts). An unknown username costs the same hash as a wrong password
   * (authenticatePassword), and both answer `wrong_credentials`.
   */
  async signIn(
    attempt: { readonly username: string; readonly password: string; readonly ip: string | null },
    nowMs: number,
  ): Promise<SignInResult> {
    const address = attempt.ip === null ? null : addressKey(attempt.ip, this.#ipv6PrefixLength)
    const admitted = await this.#admit(attempt.username, address, nowMs)
    if ('outcome' in admitted) return admitted

    const release = this.#hashes.tryAcquire()
    if (release === null) {
      await this.#giveBack(admitted.taken, nowMs)
      return BUSY
    }
    let user: UserRecord | null
    try {
      user = await authenticatePassword(this.#store, attempt.username, attempt.password)
    } finally {
      release()
    }

    // A failure keeps its tokens: it was counted before it was checked. So does an attempt the
    // store failed under (thrown above): erring towards the limit, by one token.
    if (user === null) {
      return admitted.passedLock === null ? WRONG : locked(admitted.passedLock)
    }
    await this.#giveBack(admitted.taken, nowMs)
    if (address !== null && this.#failures !== null) {
      await this.#store.recordSignIn(user.id, address, Math.floor(nowMs / 1000))
    }
    return { outcome: 'signed_in', user }
  }

  /**
   * Takes a token from the address's bucket, then from the username's. The address comes
   * first because it binds everyone, the owner included; the username's lock is passed only
   * from an address the owner is known to use.
   */
  async #admit(
    username: string,
    address: string | null,
    nowMs: number,
  ): Promise<Admitted | SignInResult> {
    const failures = this.#failures
    if (failures === null) return { taken: [], passedLock: null }
    const taken: string[] = []
    if (address !== null) {
      const key = `ip:${address}`
      const decision = await failures.consume(key, nowMs)
      if (!decision.allowed) return locked(decision.retryAfterSeconds)
      taken.push(key)
    }
    const key = `user:${username}`
    const decision = await failures.consume(key, nowMs)
    if (decision.allowed) return { taken: [...taken, key], passedLock: null }
    if (address !== null && (await this.#isKnownAddress(username, address, nowMs))) {
      return { taken, passedLock: decision.retryAfterSeconds }
    }
    await this.#giveBack(taken, nowMs)
    return locked(decision.retryAfterSeconds)
  }

  async #isKnownAddress(username: string, address: string, nowMs: number): Promise<boolean> {
    const user = await this.#store.findUserByUsername(username)
    if (user === null) return false
    const since = Math.floor(nowMs / 1000) - KNOWN_ADDRESS_SECONDS
    return this.#store.hasSignedInFrom(user.id, address, since)
  }

  async #giveBack(keys: readonly string[], nowMs: number): Promise<void> {
    for (const key of keys) await this.#failures?.refund(key, nowMs)
  }
}

function locked(retryAfterSeconds: number): SignInResult {
  return { outcome: 'locked', retryAfterSeconds }
}
