import { bucketKey } from './bucket-key.js'
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js'

/**
 * Per-key rate limiting for the open registration endpoint (RFC 7591 §3 ¶3: open registration
 * MAY be rate-limited). A token bucket per key: `max` requests at once, refilled continuously at
 * max/window, so a burst is allowed and a steady flood is held to the configured rate.
 *
 * In-process: right for one instance. The store's shared limiter (PostgreSQL) replaces it when
 * several instances run behind one load balancer.
 */
const ALLOWED: RateLimitDecision = { allowed: true }

interface Bucket {
  tokens: number
  updatedMs: number
}

export class TokenBucketLimiter implements RateLimiter {
  readonly #max: number
  readonly #refillPerMs: number
  readonly #maxKeys: number
  readonly #buckets = new Map<string, Bucket>()

  /**
   * @param maxKeys bound on the buckets kept (memory stays flat under an address-spoofing
   *   flood): when full, the least recently touched buckets go first. A forgotten bucket is a
   *   full one, so eviction only ever errs towards letting a request in.
   */
  constructor(options: {
    readonly max: number
    readonly windowSeconds: number
    readonly maxKeys?: number
  }) {
    this.#max = options.max
    this.#refillPerMs = options.max / (options.windowSeconds * 1000)
    this.#maxKeys = options.maxKeys ?? 100_000
  }

  async consume(requested: string, nowMs: number): Promise<RateLimitDecision> {
    const key = bucketKey(requested)
    const tokens = this.#tokens(key, nowMs)
    // Map keeps insertion order: delete and re-insert so the oldest entry is the least recent.
    this.#buckets.delete(key)
    const decision = this.#decide(tokens)
    this.#buckets.set(key, { tokens: decision.allowed ? tokens - 1 : tokens, updatedMs: nowMs })
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next()
      if (oldest.done !== true) this.#buckets.delete(oldest.value)
    }
    return decision
  }

  async refund(requested: string, nowMs: number): Promise<void> {
    const key = bucketKey(requested)
    // A forgotten bucket is a full one: nothing to give back to.
    if (!this.#buckets.has(key)) return
    this.#buckets.set(key, {
      tokens: Math.min(this.#max, this.#tokens(key, nowMs) + 1),
      updatedMs: nowMs,
    })
  }

  #tokens(key: string, nowMs: number): number {
    const bucket = this.#buckets.get(key)
    return bucket === undefined
      ? this.#max
      : Math.min(
          this.#max,
          bucket.tokens + Math.max(0, nowMs - bucket.updatedMs) * this.#refillPerMs,
        )
  }

  #decide(tokens: number): RateLimitDecision {
    if (tokens >= 1) return ALLOWED
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#refillPerMs / 1000)),
    }
  }

  get size(): number {
    return this.#buckets.size
  }
}
