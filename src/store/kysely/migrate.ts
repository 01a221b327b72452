import type { Kysely } from 'kysely'
import { Migrator } from 'kysely'
import { migrationProvider, migrations } from './migrations/index.js'
import type { Database } from './schema.js'

/**
 * Applies registrar's migrations. Shared by every dialect; the caller supplies any locking the
 * dialect needs beyond what Kysely's Migrator does (sqlite.ts: BEGIN IMMEDIATE; postgres.ts: an
 * advisory lock on a dedicated connection).
 */

/** Named for registrar, not Kysely's default, so registrar can share a database with other apps. */
export const MIGRATION_TABLE = 'registrar_migration'
export const MIGRATION_LOCK_TABLE = 'registrar_migration_lock'

export interface MigrateOptions {
  /**
   * The PostgreSQL schema registrar's tables live in. Kysely's Migrator looks for its table in
   * every schema unless told one, so a second registrar in another schema of the same database
   * would be taken for this one. Unset on SQLite, which has no schemas.
   */
  readonly schema?: string
}

/** Runs every pending migration and returns the names of those it ran, in order. */
export async function migrateToLatest(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<readonly string[]> {
  await appliedKnownMigrations(db, options)
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  }).migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')
    const what = failed
      ? `migration ${failed.migrationName} failed`
      : 'migrating the database failed'
    throw new Error(`${what}: ${messageOf(error)}`, { cause: error })
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName)
}

/** For opening without migrating: the database must be exactly as new as this build. */
export async function assertMigrated(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<void> {
  throwIfPending(await appliedKnownMigrations(db, options))
}

/**
 * The readiness check (GET /readyz): one query that proves the database answers and holds every
 * migration this build needs. Unlike assertMigrated it reads the table by its unqualified name,
 * through the connection's search_path, and skips the catalogue lookup: load balancers call it
 * every few seconds. A newer registrar's migrations do not make it fail: during a rolling
 * upgrade the old instances keep serving until they are replaced, rather than all leaving the
 * pool at once the moment the first new one has migrated.
 */
export async function assertSchemaCurrent(db: Kysely<Database>): Promise<void> {
  const rows = await db
    .withTables<{ [MIGRATION_TABLE]: { name: string } }>()
    .selectFrom(MIGRATION_TABLE)
    .select('name')
    .execute()
  throwIfPending(new Set(rows.map((row) => row.name)))
}

export interface MigrationState {
  readonly name: string
  /** ISO 8601 time it was applied, as Kysely's Migrator recorded it; null: pending. */
  readonly appliedAt: string | null
}

/** Every migration this build knows, in order, with when it was applied. */
export async function migrationStatus(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<readonly MigrationState[]> {
  await appliedKnownMigrations(db, options)
  const rows = (await migrationTableExists(db, options))
    ? await migrationTable(db, options).select(['name', 'timestamp']).execute()
    : []
  const appliedAt = new Map(rows.map((row) => [row.name, row.timestamp]))
  return Object.keys(migrations)
    .sort()
    .map((name) => ({ name, appliedAt: appliedAt.get(name) ?? null }))
}

function throwIfPending(applied: ReadonlySet<string>): void {
  const pending = Object.keys(migrations)
    .sort()
    .filter((name) => !applied.has(name))
  if (pending.length > 0) {
    throw new Error(
      `database is not migrated: pending migration ${pending.join(', ')}; open it with migrate enabled`,
    )
  }
}

/**
 * The names of the migrations already applied. Refuses a database that a newer registrar has
 * migrated: this build's queries may not match its schema, and Kysely's own complaint
 * ("previously executed migration is missing") would not say why.
 */
async function appliedKnownMigrations(
  db: Kysely<Database>,
  options: MigrateOptions,
): Promise<ReadonlySet<string>> {
  if (!(await migrationTableExists(db, options))) return new Set()
  const rows = await migrationTable(db, options).select('name').orderBy('name').execute()
  const unknown = rows.find((row) => !Object.hasOwn(migrations, row.name))
  if (unknown !== undefined) {
    throw new Error(`database was migrated by a newer registrar: unknown migration ${unknown.name}`)
  }
  return new Set(rows.map((row) => row.name))
}

async function migrationTableExists(
  db: Kysely<Database>,
  { schema }: MigrateOptions,
): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  return tables.some(
    (table) => table.name === MIGRATION_TABLE && (schema === undefined || table.schema === schema),
  )
}

function migrationTable(db: Kysely<Database>, { schema }: MigrateOptions) {
  const tables = db.withTables<{ [MIGRATION_TABLE]: { name: string; timestamp: string } }>()
  return (schema === undefined ? tables : tables.withSchema(schema)).selectFrom(MIGRATION_TABLE)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
