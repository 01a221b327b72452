import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TokenBucketLimiter } from '../../src/core/rate-limit/token-bucket-limiter.js'
import { rateLimitBuckets } from '../../src/store/kysely/migrations/0003_rate_limits.js'
import type { Database } from '../../src/store/kysely/schema.js'
import { createTableRateLimiter } from '../../src/store/kysely/table-rate-limiter.js'
import { createPostgresRateLimiter } from '../../src/store/postgres.js'
import type { TestSchema } from '../support/postgres.js'
import { bareSchemaDatabase, describePostgres, testSchema } from '../support/postgres.js'

/** 2025-06-15T15:06:40Z in milliseconds. */
const NOW_MS = 1_750_000_000_000
/** 20 an hour: one token back every 180 s. */
const LIMITS = { max: 20, windowSeconds: 3600 } as const

/**
 * The same expectations on each database: `databases()` opens `count` connections pools on one
 * fresh rate_limit_buckets table, standing for as many registrar instances.
 */
function describeSharedLimiter(
  name: string,
  setup: () => Promise<{
    databases(count: number): Promise<Kysely<Database>[]>
    cleanup(): Promise<void>
  }>,
): void {
  describe(`shared rate limiter: ${name}`, () => {
    let env: Awaited<ReturnType<typeof setup>>
    beforeEach(async () => {
      env = await setup()
    })
    afterEach(async () => {
      await env.cleanup()
    })

    it('of 25 concurrent requests from one address spread over 3 instances, exactly 20 pass', async () => {
      const instances = (await env.databases(3)).map((db) => createTableRateLimiter(db, LIMITS))
      const decisions = await Promise.all(
        Array.from({ length: 25 }, (_, i) => instances[i % 3]?.consume('192.0.2.1', NOW_MS + i)),
      )
      expect(decisions.filter((d) => d?.allowed)).toHaveLength(20)
      const refused = decisions.filter((d) => d !== undefined && !d.allowed)
      expect(refused).toHaveLength(5)
      for (const decision of refused) {
        // Empty bucket: the next token is about 180 s away.
        expect(decision).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) })
        if (!decision?.allowed) {
          expect(decision?.retryAfterSeconds).toBeGreaterThan(170)
          expect(decision?.retryAfterSeconds).toBeLessThanOrEqual(180)
        }
      }
    })

    it('answers exactly as the in-process TokenBucketLimiter over a run of requests', async () => {
      const [db] = await env.databases(1)
      if (db === undefined) throw new Error('no database')
      const shared = createTableRateLimiter(db, { max: 3, windowSeconds: 60 })
      const local = new TokenBucketLimiter({ max: 3, windowSeconds: 60 })
      // Bursts, pauses shorter and longer than a refill (20 s), a clock that steps back.
      const offsets = [0, 1, 2, 3, 4, 15_000, 20_001, 20_002, 41_000, 40_000, 200_000, 200_001]
      for (const offset of offsets) {
        const now = NOW_MS + offset
        expect(await shared.consume('k', now), `at +${offset} ms`).toEqual(
          await local.consume('k', now),
        )
      }
    })

    it('of 20 concurrent takes over 2 instances with 10 given back at once, exactly 10 more pass', async () => {
      const [first, second] = await env.databases(2)
      if (first === undefined || second === undefined) throw new Error('no database')
      const limits = { max: 20, windowSeconds: 3600, limiter: 'login' }
      const instances = [
        createTableRateLimiter(first, limits),
        createTableRateLimiter(second, limits),
      ]
      // Takes and refunds interleave on both instances: none may be lost under the other.
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const instance = instances[i % 2]
          expect(await instance?.consume('k', NOW_MS)).toEqual({ allowed: true })
          if (i % 2 === 0) await instances[(i + 1) % 2]?.refund('k', NOW_MS)
        }),
      )
      const again = await Promise.all(
        Array.from({ length: 12 }, (_, i) => instances[i % 2]?.consume('k', NOW_MS)),
      )
      expect(again.filter((d) => d?.allowed)).toHaveLength(10)
    })

    it('refund answers as the in-process TokenBucketLimiter: never past max, nothing for an unknown key', async () => {
      const [db] = await env.databases(1)
      if (db === undefined) throw new Error('no database')
      const shared = createTableRateLimiter(db, { max: 3, windowSeconds: 60, limiter: 'login' })
      const local = new TokenBucketLimiter({ max: 3, windowSeconds: 60 })
      // Refunds on a full bucket, on an empty one and after a partial refill.
      const steps: readonly (readonly ['consume' | 'refund', number])[] = [
        ['refund', 0],
        ['consume', 0],
        ['refund', 0],
        ['refund', 0],
        ['consume', 1],
        ['consume', 2],
        ['consume', 3],
        ['consume', 4],
        ['refund', 5],
        ['consume', 6],
        ['consume', 7],
        ['refund', 10_000],
        ['consume', 10_001],
        ['consume', 10_002],
      ]
      for (const [step, offset] of steps) {
        const now = NOW_MS + offset
        if (step === 'refund') {
          await shared.refund('k', now)
          await local.refund('k', now)
        } else {
          expect(await shared.consume('k', now), `consume at +${offset} ms`).toEqual(
            await local.consume('k', now),
          )
        }
      }
      await shared.refund('never-taken', NOW_MS)
      await waitForRows(db, ['k'])
    })

    it('a key too long for an index (a 64 KiB username) is counted like any other, never a 500', async () => {
      const [db] = await env.databases(1)
      if (db === undefined) throw new Error('no database')
      const limiter = createTableRateLimiter(db, { max: 1, windowSeconds: 60 })
      // Random, so that PostgreSQL cannot compress the index entry under its 2,704-byte limit.
      const key = `user:${randomBytes(24_576).toString('base64')}`
      expect((await limiter.consume(key, NOW_MS)).allowed).toBe(true)
      expect((await limiter.consume(key, NOW_MS)).allowed).toBe(false)
      await limiter.refund(key, NOW_MS)
      expect((await limiter.consume(key, NOW_MS)).allowed).toBe(true)
    })

    it('keeps separate buckets per address and per limiter name', async () => {
      const [db] = await env.databases(1)
      if (db === undefined) throw new Error('no database')
      const registration = createTableRateLimiter(db, { max: 1, windowSeconds: 60 })
      const other = createTableRateLimiter(db, { max: 1, windowSeconds: 60, limiter: 'other' })
      expect(await registration.consume('a', NOW_MS)).toEqual({ allowed: true })
      expect((await registration.consume('a', NOW_MS)).allowed).toBe(false)
      expect(await registration.consume('b', NOW_MS)).toEqual({ allowed: true })
      expect(await other.consume('a', NOW_MS)).toEqual({ allowed: true })
    })

    it('forgets buckets untouched for a whole window, which are full again anyway', async () => {
      const [db] = await env.databases(1)
      if (db === undefined) throw new Error('no database')
      const limiter = createTableRateLimiter(db, { max: 2, windowSeconds: 60 })
      await limiter.consume('old', NOW_MS)
      await limiter.consume('recent', NOW_MS + 59_000)
      // The first consume pruned (nothing); the next prune is due a minute later.
      await limiter.consume('trigger', NOW_MS + 61_000)
      await waitForRows(db, ['recent', 'trigger'])
    })

    it('refuses a configuration it cannot honour with a TypeError', async () => {
      const [db] = await env.databases(1)
      if (db === undefined) throw new Error('no database')
      expect(() => createTableRateLimiter(db, { max: 0, windowSeconds: 60 })).toThrow(TypeError)
      expect(() => createTableRateLimiter(db, { max: 1, windowSeconds: 0.5 })).toThrow(TypeError)
    })
  })
}

describeSharedLimiter('SQLite, one file shared by several connections', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'registrar-limiter-'))
  const path = join(dir, 'limits.db')
  const opened: Kysely<Database>[] = []
  const connect = () => {
    const sqlite = new SqliteDatabase(path)
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('journal_mode = WAL')
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
    opened.push(db)
    return db
  }
  await rateLimitBuckets.up(connect())
  return {
    async databases(count) {
      return Array.from({ length: count }, connect)
    },
    async cleanup() {
      await Promise.all(opened.map((db) => db.destroy()))
      await rm(dir, { recursive: true, force: true })
    },
  }
})

describePostgres('shared rate limiter on PostgreSQL', () => {
  describeSharedLimiter('PostgreSQL, one pool per instance', async () => {
    const schema: TestSchema = testSchema()
    const opened: Kysely<Database>[] = []
    const connect = async () => {
      // Pools of 4: 25 requests over 3 instances really queue for connections and row locks.
      const db = await bareSchemaDatabase(schema, 4)
      opened.push(db)
      return db
    }
    await rateLimitBuckets.up(await connect())
    return {
      async databases(count) {
        return Promise.all(Array.from({ length: count }, connect))
      },
      async cleanup() {
        await Promise.all(opened.map((db) => db.destroy()))
        await schema.drop()
      },
    }
  })

  it('createPostgresRateLimiter is the shared limiter', async () => {
    const schema = testSchema()
    const db = await bareSchemaDatabase(schema)
    try {
      await rateLimitBuckets.up(db)
      const limiter = createPostgresRateLimiter(db, { max: 1, windowSeconds: 60 })
      expect(await limiter.consume('a', NOW_MS)).toEqual({ allowed: true })
      expect(await limiter.consume('a', NOW_MS + 1)).toEqual({
        allowed: false,
        retryAfterSeconds: 60,
      })
      expect(await limiter.consume('a', NOW_MS + 60_000)).toEqual({ allowed: true })
    } finally {
      await db.destroy()
      await schema.drop()
    }
  })
})

async function waitForRows(db: Kysely<Database>, keys: string[]): Promise<void> {
  const deadline = Date.now() + 5000
  for (;;) {
    const rows = await sql<{
      key: string
    }>`select key from rate_limit_buckets order by key`.execute(db)
    const found = rows.rows.map((row) => row.key)
    if (JSON.stringify(found) === JSON.stringify(keys)) return
    if (Date.now() > deadline) expect(found).toEqual(keys)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
