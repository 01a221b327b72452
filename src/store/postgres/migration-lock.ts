import { Kysely, sql } from 'kysely'
import pg from 'pg'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'
import { CurrentSchemaPostgresDialect } from '../kysely/current-schema-introspector.js'
import { MIGRATION_TABLE } from '../kysely/migrate.js'
import type { Database } from '../kysely/schema.js'
import { connectionConfig } from './connection-config.js'
import { currentSchema } from './current-schema.js'
import type { Settings } from './settings.js'
import { sqlState } from './translate-postgres-error.js'
import { UnavailabilityTranslatingPool } from './unavailability-translating-pool.js'
import { watchForLostConnections } from './watch-for-lost-connections.js'

/**
 * How long an instance waits for another instance's migration before giving up: registrar's
 * migrations take well under a second, so a minute means the other one is stuck.
 */
const MIGRATION_LOCK_TIMEOUT_MS = 60_000

/**
 * Runs `run` on a connection of its own holding the schema's migration lock: a session advisory
 * lock, so that instances starting together queue on it, released when the connection closes,
 * also when the process dies half-way. The connection goes without the pool's statement timeout,
 * which would cut a long wait or a long migration short, and waits at most
 * MIGRATION_LOCK_TIMEOUT_MS for the lock.
 */
export async function withMigrationConnection<T>(
  settings: Settings,
  run: (db: Kysely<Database>, schema: string) => Promise<T>,
): Promise<T> {
  const pool = new pg.Pool({
    ...connectionConfig(settings),
    max: 1,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    lock_timeout: MIGRATION_LOCK_TIMEOUT_MS,
  })
  watchForLostConnections(pool, settings.logger)
  const db = new Kysely<Database>({
    dialect: new CurrentSchemaPostgresDialect({ pool: new UnavailabilityTranslatingPool(pool) }),
  })
  try {
    return await db.connection().execute(async (connection) => {
      const schema = await currentSchema(connection, settings)
      try {
        await sql`select pg_advisory_lock(hashtextextended(${`${MIGRATION_TABLE}:${schema}`}, 0))`.execute(
          connection,
        )
      } catch (error) {
        const cause = error instanceof StoreUnavailableError ? error.cause : error
        if (sqlState(cause) === '55P03') {
          throw new Error(
            `another registrar instance has held the migration lock of schema ${schema} for over ${MIGRATION_LOCK_TIMEOUT_MS / 1000} s`,
            { cause: error },
          )
        }
        throw error
      }
      return run(connection, schema)
    })
  } finally {
    await db.destroy()
  }
}
