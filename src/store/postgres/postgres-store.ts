import type { Kysely } from 'kysely'
import type { RateLimiter } from '../../core/rate-limit/rate-limiter.js'
import { KyselyStore } from '../kysely/kysely-store.js'
import type { Database } from '../kysely/schema.js'
import type { TableRateLimiterOptions } from '../kysely/table-rate-limiter.js'
import { createTableRateLimiter } from '../kysely/table-rate-limiter.js'
import type { PreparedStatementRunner } from './prepared-statement-runner.js'

/** The Store on PostgreSQL, with rate limits shared by every instance on top. */
export class PostgresStore extends KyselyStore {
  readonly #db: Kysely<Database>

  /**
   * `direct`: where the hot statements run outside transactions (PreparedStatementRunner, over
   * the same pool); without it they go through Kysely like everything else.
   */
  constructor(db: Kysely<Database>, direct?: PreparedStatementRunner) {
    super(db, direct === undefined ? {} : { direct })
    this.#db = db
  }

  /** A rate limiter whose buckets live in this database, shared by every instance on it. */
  createRateLimiter(limits: TableRateLimiterOptions): RateLimiter {
    return createTableRateLimiter(this.#db, limits)
  }
}
