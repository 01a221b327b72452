import type { Kysely, Migration } from 'kysely'

/**
 * Token buckets shared by every instance on one database (table-rate-limiter.ts), so that a
 * limit of 20 registrations an hour holds behind a load balancer instead of becoming 20 per
 * instance. One row per (limiter, key): `limiter` names what is limited ('registration'), `key`
 * whom (a client IP). Written against the schema builder only, like every migration, so it runs
 * on SQLite too, where the table serves nobody yet but keeps both dialects' schemas identical.
 *
 * No index on updated_ms: every consume rewrites it, and an index would turn those in-place
 * (HOT) updates into index writes; the once-a-minute prune scans instead.
 */
export const rateLimitBuckets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rate_limit_buckets')
      .addColumn('limiter', 'text', (col) => col.notNull())
      .addColumn('key', 'text', (col) => col.notNull())
      // Fractional: the bucket refills continuously, max/window tokens per millisecond.
      .addColumn('tokens', 'double precision', (col) => col.notNull())
      // Epoch milliseconds pass int4's 2147483647 in 25 days.
      .addColumn('updated_ms', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('rate_limit_buckets_pkey', ['limiter', 'key'])
      .execute()
  },
}
