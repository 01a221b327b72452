import type { RateLimiter } from '../rate-limit/token-bucket-limiter.js'
import { TokenBucketLimiter } from '../rate-limit/token-bucket-limiter.js'

/**
 * Slows password guessing (RFC 6749 §10.7 asks servers to protect the resource owner's
 * credentials; RFC 9700 §4.15): failed logins are counted per username and per client address,
 * each in a token bucket of `max` failures refilled over `windowSeconds`. The failure that finds
 * a bucket empty locks that key until one failure's worth has refilled; while a key is locked,
 * logins for it are refused before the password is even checked, so a locked-out guesser learns
 * nothing and costs no scrypt work. Successful logins are not counted: people sharing one
 * address (an office, a NAT) are only held back by their own mistakes.
 *
 * In-process, like the registration limiter: each instance counts its own failures, so N
 * instances allow N times the rate. A lock only delays, never disables an account for good.
 */
export class LoginThrottle {
  readonly #failures: RateLimiter
  /** Key → epoch milliseconds until which it is locked. */
  readonly #lockedUntil = new Map<string, number>()
  readonly #maxKeys: number

  constructor(options: {
    readonly max: number
    readonly windowSeconds: number
    readonly maxKeys?: number
  }) {
    this.#maxKeys = options.maxKeys ?? 100_000
    this.#failures = new TokenBucketLimiter({ ...options, maxKeys: this.#maxKeys })
  }

  /** Seconds to wait when any of the keys is locked, else null. Counts nothing. */
  lockedFor(keys: readonly string[], nowMs: number): number | null {
    let wait = 0
    for (const key of keys) {
      const until = this.#lockedUntil.get(key)
      if (until === undefined) continue
      if (until <= nowMs) this.#lockedUntil.delete(key)
      else wait = Math.max(wait, until - nowMs)
    }
    return wait === 0 ? null : Math.ceil(wait / 1000)
  }

  /**
   * Counts one failed login against every key. Returns the seconds to wait when this failure
   * was one too many for a key (which is now locked), else null.
   */
  async recordFailure(keys: readonly string[], nowMs: number): Promise<number | null> {
    let wait: number | null = null
    for (const key of keys) {
      const decision = await this.#failures.consume(key, nowMs)
      if (decision.allowed) continue
      this.#lock(key, nowMs + decision.retryAfterSeconds * 1000)
      wait = Math.max(wait ?? 0, decision.retryAfterSeconds)
    }
    return wait
  }

  #lock(key: string, untilMs: number): void {
    // Re-insert so the Map's order is the order of locking: when full, the oldest lock goes.
    this.#lockedUntil.delete(key)
    this.#lockedUntil.set(key, untilMs)
    if (this.#lockedUntil.size > this.#maxKeys) {
      const oldest = this.#lockedUntil.keys().next()
      if (oldest.done !== true) this.#lockedUntil.delete(oldest.value)
    }
  }
}

/** The keys a login attempt counts against. */
export function loginThrottleKeys(username: string, ip: string | null): string[] {
  return [`user:${username}`, ...(ip === null ? [] : [`ip:${ip}`])]
}
