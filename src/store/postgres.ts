import { Kysely } from 'kysely'
import pg from 'pg'
import type { RateLimiter } from '../core/rate-limit/rate-limiter.js'
import { CurrentSchemaPostgresDialect } from './kysely/current-schema-introspector.js'
import type { MigrationState } from './kysely/migrate.js'
import { assertMigrated, migrateToLatest, migrationStatus } from './kysely/migrate.js'
import type { Database } from './kysely/schema.js'
import type { TableRateLimiterOptions } from './kysely/table-rate-limiter.js'
import { createTableRateLimiter } from './kysely/table-rate-limiter.js'
import { connectionConfig } from './postgres/connection-config.js'
import { currentSchema } from './postgres/current-schema.js'
import { withMigrationConnection } from './postgres/migration-lock.js'
import { PostgresStore } from './postgres/postgres-store.js'
import { PreparedStatementRunner } from './postgres/prepared-statement-runner.js'
import type { PostgresStoreOptions } from './postgres/settings.js'
import { resolveSettings } from './postgres/settings.js'
import { UnavailabilityTranslatingPool } from './postgres/unavailability-translating-pool.js'
import { watchForLostConnections } from './postgres/watch-for-lost-connections.js'

/**
 * PostgreSQL through Kysely and node-postgres: the `registrar/postgres` entry point. Several
 * registrar instances may share one database: they migrate one at a time under an advisory lock
 * (postgres/migration-lock.ts), consume tokens with conditional UPDATEs (kysely-store.ts) and can
 * share registration rate limits (createPostgresRateLimiter). A lost or unreachable database
 * surfaces as StoreUnavailableError (503, never 500; postgres/translate-postgres-error.ts) and
 * the pool reconnects by itself when it returns.
 */

export { PostgresStore } from './postgres/postgres-store.js'
export type { PostgresStoreOptions } from './postgres/settings.js'
export { POSTGRES_DEFAULTS } from './postgres/settings.js'

/** Added to statementTimeoutMs for the client-side limit, to let the server's error arrive first. */
const CLIENT_TIMEOUT_MARGIN_MS = 1000

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { db, pool } = await openPostgres(options)
  return new PostgresStore(db, new PreparedStatementRunner(pool))
}

/**
 * The configured, migrated Kysely instance under openPostgresStore, for tools that need more
 * than the Store. The caller owns it and must destroy() it.
 */
export async function openPostgresDatabase(
  options: PostgresStoreOptions,
): Promise<Kysely<Database>> {
  return (await openPostgres(options)).db
}

async function openPostgres(
  options: PostgresStoreOptions,
): Promise<{ readonly db: Kysely<Database>; readonly pool: UnavailabilityTranslatingPool }> {
  const settings = resolveSettings(options)
  if (options.migrate ?? true) await migratePostgres(options)
  const pool = new pg.Pool({
    ...connectionConfig(settings),
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    ...(settings.statementTimeoutMs === 0
      ? {}
      : {
          statement_timeout: settings.statementTimeoutMs,
          query_timeout: settings.statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
        }),
  })
  watchForLostConnections(pool, settings.logger)
  const translating = new UnavailabilityTranslatingPool(pool)
  const db = new Kysely<Database>({
    dialect: new CurrentSchemaPostgresDialect({ pool: translating }),
  })
  if (options.migrate === false) {
    try {
      await assertMigrated(db, { schema: await currentSchema(db, settings) })
    } catch (error) {
      await db.destroy()
      throw error
    }
  }
  return { db, pool: translating }
}

/**
 * Applies pending migrations and returns the names of those it ran (none when another instance
 * got there first). Instances starting together queue on the migration lock
 * (postgres/migration-lock.ts): the first migrates, the others then find nothing left to do.
 */
export async function migratePostgres(options: PostgresStoreOptions): Promise<readonly string[]> {
  const settings = resolveSettings(options)
  return withMigrationConnection(settings, async (db, schema) => {
    const ran = await migrateToLatest(db, { schema })
    if (ran.length > 0) settings.logger.info({ schema, migrations: ran }, 'database migrated')
    return ran
  })
}

/** Every migration this build knows, with when it was applied to this database. */
export async function postgresMigrationStatus(
  options: PostgresStoreOptions,
): Promise<readonly MigrationState[]> {
  const settings = resolveSettings(options)
  return withMigrationConnection(settings, (db, schema) => migrationStatus(db, { schema }))
}

/**
 * Registration rate limiting shared by every instance on this database: a token bucket per key
 * in the rate_limit_buckets table, consumed with one atomic upsert (table-rate-limiter.ts).
 */
export function createPostgresRateLimiter(
  db: Kysely<Database>,
  limits: TableRateLimiterOptions,
): RateLimiter {
  return createTableRateLimiter(db, limits)
}
