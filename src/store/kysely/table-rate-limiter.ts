import type { Kysely, RawBuilder } from 'kysely'
import { sql } from 'kysely'
import { bucketKey } from '../../core/rate-limit/bucket-key.js'
import type { RateLimitDecision, RateLimiter } from '../../core/rate-limit/rate-limiter.js'
import type { Database } from './schema.js'

/**
 * The token bucket of TokenBucketLimiter (same arithmetic, same answers), kept in the
 * rate_limit_buckets table (migration 0003) so that every instance on one database draws from
 * the same buckets. Dialect-neutral SQL: PostgreSQL in production, SQLite when several
 * processes share one file.
 *
 * Each consume is one INSERT … ON CONFLICT DO UPDATE … WHERE: the database locks the bucket's
 * row, re-reads it and refills, takes a token only if one is there and returns the row only when
 * it did. Concurrent requests on any number of instances queue on that row lock, so a bucket of
 * 20 admits exactly 20 however the requests are spread. A refund is one UPDATE under the same
 * lock, so takes and refunds interleave without losing either.
 *
 * Times come from each instance's clock (`nowMs`): skew between instances shifts the refill by
 * the skew (milliseconds under NTP), never lets a bucket go back in time (updated_ms only grows)
 * and never refills from a negative interval.
 */

export interface TableRateLimiterOptions {
  /** Requests allowed at once: the size of the bucket. */
  readonly max: number
  /** Time for an empty bucket to refill completely. */
  readonly windowSeconds: number
  /** What this limiter limits, so several can share the table. @default 'registration' */
  readonly limiter?: string
}

type RateLimitBucketsTable = {
  limiter: string
  key: string
  tokens: number
  /** bigint: node-postgres returns it as a string. */
  updated_ms: number | string
}

/** Declared here rather than in schema.ts: only this module reads or writes the table. */
type RateLimitDatabase = {
  rate_limit_buckets: RateLimitBucketsTable
}

function checkNow(nowMs: number): void {
  if (!Number.isSafeInteger(nowMs)) throw new RangeError(`nowMs must be an integer, got ${nowMs}`)
}

/** Forgotten buckets are deleted at most this often per instance (a full one equals none). */
const PRUNE_INTERVAL_MS = 60_000

export function createTableRateLimiter(
  db: Kysely<Database>,
  options: TableRateLimiterOptions,
): RateLimiter {
  const { max, windowSeconds } = options
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError(`rate limit max must be a positive integer, got ${max}`)
  }
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
    throw new TypeError(`rate limit windowSeconds must be a positive integer, got ${windowSeconds}`)
  }
  const limiter = options.limiter ?? 'registration'
  const windowMs = windowSeconds * 1000
  const refillPerMs = max / windowMs
  const buckets = db.withTables<RateLimitDatabase>()
  let lastPruneMs = Number.NEGATIVE_INFINITY

  const cap = sql`cast(${max} as double precision)`
  // min(max, value), in CASE form: PostgreSQL spells the two-argument min LEAST and SQLite
  // spells it MIN.
  const capped = (value: RawBuilder<number>) =>
    sql<number>`(case when ${value} < ${cap} then ${value} else ${cap} end)`
  // min(max, tokens + max(0, now - updated) * rate). Parameters are cast because PostgreSQL
  // would otherwise infer the rate's type from the bigint it multiplies, and refuse 0.0000055.
  const refilled = (nowMs: number) => {
    const now = sql`cast(${nowMs} as bigint)`
    const elapsed = sql`(${now} - rate_limit_buckets.updated_ms)`
    const earned = sql`(case when ${elapsed} > 0 then ${elapsed} else 0 end) * cast(${refillPerMs} as double precision)`
    return capped(sql<number>`(rate_limit_buckets.tokens + ${earned})`)
  }
  // updated_ms only ever grows, whatever the instance's clock says.
  const latest = (nowMs: number) => {
    const now = sql`cast(${nowMs} as bigint)`
    return sql<number>`(case when rate_limit_buckets.updated_ms > ${now} then rate_limit_buckets.updated_ms else ${now} end)`
  }

  const prune = (nowMs: number) => {
    if (nowMs - lastPruneMs < PRUNE_INTERVAL_MS) return
    lastPruneMs = nowMs
    // Not awaited: a prune that fails (the database is away) costs only space, and the next
    // one a minute later deletes the same rows.
    buckets
      .deleteFrom('rate_limit_buckets')
      .where('limiter', '=', limiter)
      .where('updated_ms', '<', nowMs - windowMs)
      .execute()
      .catch(() => undefined)
  }

  const readBucket = (key: string) =>
    buckets
      .selectFrom('rate_limit_buckets')
      .select(['tokens', 'updated_ms'])
      .where('limiter', '=', limiter)
      .where('key', '=', key)
      .executeTakeFirst()

  /** The refusal of a consume, with when a token will be back by the bucket as read. */
  const refusal = (
    bucket: { tokens: number; updated_ms: number | string } | undefined,
    nowMs: number,
  ): RateLimitDecision => {
    const tokens =
      bucket === undefined
        ? max
        : Math.min(
            max,
            Number(bucket.tokens) + Math.max(0, nowMs - Number(bucket.updated_ms)) * refillPerMs,
          )
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(Math.max(0, 1 - tokens) / refillPerMs / 1000)),
    }
  }

  return {
    async consume(requested: string, nowMs: number): Promise<RateLimitDecision> {
      checkNow(nowMs)
      const key = bucketKey(requested)
      const taken = await buckets
        .insertInto('rate_limit_buckets')
        .values({ limiter, key, tokens: max - 1, updated_ms: nowMs })
        .onConflict((conflict) =>
          conflict
            .columns(['limiter', 'key'])
            .doUpdateSet({
              tokens: sql<number>`${refilled(nowMs)} - 1`,
              updated_ms: latest(nowMs),
            })
            .where(sql<boolean>`${refilled(nowMs)} >= 1`),
        )
        .returning('tokens')
        .executeTakeFirst()
      prune(nowMs)
      if (taken !== undefined) return { allowed: true }

      // Refused: read the bucket once more to say when a token will be back. Another request
      // may have moved it meanwhile; the answer is a hint for Retry-After, not a promise.
      return refusal(await readBucket(key), nowMs)
    },

    async refund(requested: string, nowMs: number): Promise<void> {
      checkNow(nowMs)
      const key = bucketKey(requested)
      // One UPDATE, under the row's lock like consume: concurrent takes and refunds on any
      // instance all count, and the bucket never holds more than max. No row: nothing was
      // taken (or it was pruned as full), so there is nothing to give back.
      await buckets
        .updateTable('rate_limit_buckets')
        .set({ tokens: capped(sql<number>`${refilled(nowMs)} + 1`), updated_ms: latest(nowMs) })
        .where('limiter', '=', limiter)
        .where('key', '=', key)
        .execute()
    },
  }
}
