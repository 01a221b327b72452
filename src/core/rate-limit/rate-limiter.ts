/**
 * The port every rate limiter implements: the in-process token bucket (token-bucket-limiter.ts)
 * and the store's shared buckets (PostgreSQL), so that several instances count together. Async
 * because a shared limiter asks the database.
 */
export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number }

export interface RateLimiter {
  /** Takes one token from the key's bucket, if there is one. */
  consume(key: string, nowMs: number): Promise<RateLimitDecision>
  /** What consume would answer now, without taking anything (a lock check). */
  peek(key: string, nowMs: number): Promise<RateLimitDecision>
}
