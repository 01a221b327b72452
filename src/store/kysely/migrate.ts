import type { Kysely } from 'kysely'
import { Migrator } from 'kysely'
import { migrationProvider, migrations } from './migrations/index.js'
import type { Database } from './schema.js'

/**
 * Applies registrar's migrations. Shared by every dialect; the caller supplies any locking the
 * dialect needs beyond what Kysely's Migrator does (see sqlite.ts).
 */

/** Named for registrar, not Kysely's default, so registrar can share a database with other apps. */
export const MIGRATION_TABLE = 'registrar_migration'
export const MIGRATION_LOCK_TABLE = 'registrar_migration_lock'

/** Runs every pending migration and returns the names of those it ran, in order. */
export async function migrateToLatest(db: Kysely<Database>): Promise<readonly string[]> {
  await appliedKnownMigrations(db)
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
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
export async function assertMigrated(db: Kysely<Database>): Promise<void> {
  const applied = await appliedKnownMigrations(db)
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
async function appliedKnownMigrations(db: Kysely<Database>): Promise<ReadonlySet<string>> {
  const tables = await db.introspection.getTables()
  if (!tables.some((table) => table.name === MIGRATION_TABLE)) return new Set()
  const rows = await db
    .withTables<{ [MIGRATION_TABLE]: { name: string } }>()
    .selectFrom(MIGRATION_TABLE)
    .select('name')
    .orderBy('name')
    .execute()
  const unknown = rows.find((row) => !Object.hasOwn(migrations, row.name))
  if (unknown !== undefined) {
    throw new Error(`database was migrated by a newer registrar: unknown migration ${unknown.name}`)
  }
  return new Set(rows.map((row) => row.name))
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
