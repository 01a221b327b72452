import type { RateLimiter } from '../rate-limit/rate-limiter.js'

/**
 * Slows password guessing (RFC 6749 §10.7 asks servers to protect the resource owner's
 * credentials; RFC 9700 §4.15): failed logins are counted per username and per client address,
 * each in a token bucket of `max` failures refilled over `windowSeconds`. The failure that finds
 * a bucket empty locks that key until one failure's worth has refilled; while a key is locked,
 * logins for it are refused before the password is even checked, so a locked-out guesser learns
 * nothing and costs no scrypt work. Successful logins are not counted: people sharing one
 * address (an office, a NAT) are only held back by their own mistakes.
 *
 * The buckets live in the limiter it is given: in the database when the store offers one
 * (PostgreSQL), so every instance counts the same failures; otherwise in this process. A lock
 * only delays, never disables an account for good.
 */
export class LoginThrottle {
  readonly #failures: RateLimiter

  constructor(failures: RateLimiter) {
    this.#failures = failures
  }

  /**
   * Seconds to wait when any of the keys is locked (its bucket holds less than one failure),
   * else null. Counts nothing.
   */
  async lockedFor(keys: readonly string[], nowMs: number): Promise<number | null> {
    let wait: number | null = null
    for (const key of keys) {
      const decision = await this.#failures.peek(key, nowMs)
      if (!decision.allowed) wait = Math.max(wait ?? 0, decision.retryAfterSeconds)
    }
    return wait
  }

  /**
   * Counts one failed login against every key. Returns the seconds to wait when this failure
   * was one too many for a key (which is now locked), else null.
   */
  async recordFailure(keys: readonly string[], nowMs: number): Promise<number | null> {
    let wait: number | null = null
    for (const key of keys) {
      const decision = await this.#failures.consume(key, nowMs)
      if (!decision.allowed) wait = Math.max(wait ?? 0, decision.retryAfterSeconds)
    }
    return wait
  }
}

/** The keys a login attempt counts against. */
export function loginThrottleKeys(username: string, ip: string | null): string[] {
  return [`user:${username}`, ...(ip === null ? [] : [`ip:${ip}`])]
}
