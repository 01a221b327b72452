/**
 * The port every rate limiter implements: the in-process token bucket (token-bucket-limiter.ts)
 * and the store's shared buckets (PostgreSQL), so that several instances count together. Async
 * because a shared limiter asks the database.
 *
 * There is deliberately no way to look at a bucket without taking from it: a check followed by
 * a later count lets every request that arrives in between pass the check (30 sign-in attempts
 * at once all passed a limit of 10 that way). A caller takes first and gives back what turned out
 * not to count.
 */
export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number }

export interface RateLimiter {
  /**
   * Takes one token from the key's bucket, if there is one, atomically: of any number of
   * concurrent callers, on any number of instances sharing the limiter, exactly as many pass as
   * the bucket holds.
   */
  consume(key: string, nowMs: number): Promise<RateLimitDecision>
  /**
   * Gives back one token that consume took, for a request that turned out not to count (a
   * correct password, work refused for another reason). Never fills a bucket past its size; a
   * bucket that is full or forgotten stays as it is.
   */
  refund(key: string, nowMs: number): Promise<void>
}
