import SqliteDatabase from 'better-sqlite3'
import type { CompiledQuery, QueryResult } from 'kysely'
import { Kysely, SqliteDialect, sql } from 'kysely'
import type { Store } from '../core/store/store.js'
import { KyselyStore } from './kysely/kysely-store.js'
import { assertMigrated, migrateToLatest } from './kysely/migrate.js'
import type { Database } from './kysely/schema.js'
import { GroupCommitSqliteDialect } from './sqlite/group-commit-dialect.js'

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a database that lives as long as the store. */
  readonly path: string
  /**
   * Apply pending migrations on open (default true). With false, a database that is not exactly
   * as new as this build is refused rather than half-working.
   */
  readonly migrate?: boolean
  /**
   * Checkpoint the write-ahead log on a worker thread instead of inside a commit on the event
   * loop (default true; see sqlite/background-checkpointer.ts). A short-lived process, such as
   * a CLI command, can turn it off and save starting a thread.
   */
  readonly backgroundCheckpoint?: boolean
  /**
   * How long a statement waits for a write lock held by another connection, such as a CLI
   * command on the same file, before failing (default 5000 ms). The wait blocks the event loop:
   * SQLite's busy handler sleeps in the calling thread. A request that runs out of it is
   * answered 503 with Retry-After: 1 (sqlite/translate-sqlite-error.ts).
   */
  readonly busyTimeoutMs?: number
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const { db, dialect } = await open(options)
  const direct = {
    executeQuery: <R>(query: CompiledQuery<R>) =>
      dialect.executeDirect(query) as Promise<QueryResult<R>>,
  }
  return new KyselyStore(db, { direct, checkHealth: () => dialect.assertHealthy() })
}

/**
 * The configured, migrated Kysely instance under openSqliteStore, for tools that need more than
 * the Store (inspection, tests). The caller owns it and must destroy() it.
 */
export async function openSqliteDatabase(options: SqliteStoreOptions): Promise<Kysely<Database>> {
  return (await open(options)).db
}

async function open(
  options: SqliteStoreOptions,
): Promise<{ db: Kysely<Database>; dialect: GroupCommitSqliteDialect }> {
  const sqlite = new SqliteDatabase(options.path)
  try {
    applyPragmas(sqlite, options.path, options.busyTimeoutMs ?? 5000)
  } catch (error) {
    sqlite.close()
    throw error
  }
  try {
    // Migrations run on Kysely's own SQLite dialect, which passes BEGIN IMMEDIATE through; the
    // store then runs on group commit over the same connection. The migration instance is
    // dropped without destroy(), which would close that connection.
    const migrator = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
    if (options.migrate ?? true) {
      await migrateInWriteTransaction(migrator, sqlite)
    } else {
      await assertMigrated(migrator)
    }
  } catch (error) {
    sqlite.close()
    throw error
  }
  // A file system without shared memory support can refuse WAL; SQLite then keeps its rollback
  // journal, there is no log to sync, and FULL stays. Otherwise the driver syncs the log itself
  // before acknowledging any write (wal-sync.ts): as durable as FULL, without an fsync on the
  // event loop at every commit.
  const syncsLog =
    isFileBacked(options.path) && sqlite.pragma('journal_mode', { simple: true }) === 'wal'
  if (syncsLog) sqlite.pragma('synchronous = NORMAL')
  const dialect = new GroupCommitSqliteDialect(
    sqlite,
    syncsLog
      ? { syncWalOf: options.path, backgroundCheckpoint: options.backgroundCheckpoint ?? true }
      : {},
  )
  const db = new Kysely<Database>({ dialect })
  try {
    // Kysely initialises a driver on first use, and destroys only one it initialised: without a
    // first statement here, a store closed unused would leave the connection and the
    // checkpointer's thread open.
    await sql`select 1`.execute(db)
  } catch (error) {
    sqlite.close()
    throw error
  }
  return { db, dialect }
}

/** ':memory:' and '' (a private temporary database) have no log of their own to sync. */
function isFileBacked(path: string): boolean {
  return path !== ':memory:' && path !== ''
}

function applyPragmas(sqlite: SqliteDatabase.Database, path: string, busyTimeoutMs: number): void {
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(
      `busyTimeoutMs must be a whole number of milliseconds, got ${busyTimeoutMs}`,
    )
  }
  // First, so that the pragmas below and the migrations wait (5 s by default) for another
  // process's write lock instead of failing at once with SQLITE_BUSY.
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
  // WAL lets readers run alongside the single writer. An in-memory (or '' temporary) database has
  // no file to log to, and SQLite would keep its 'memory' journal anyway.
  if (isFileBacked(path)) sqlite.pragma('journal_mode = WAL')
  // In WAL mode NORMAL skips the fsync at commit, so a power cut could lose registrations already
  // answered with 201. FULL syncs the log on every commit: the migrations run so, and the store
  // then takes the sync over itself (openSqliteDatabase).
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
}

/**
 * Kysely runs SQLite migrations outside a transaction (its adapter reports no transactional DDL),
 * so two processes starting together could both run the same migration, and a failure could
 * leave half a schema. SQLite does support transactional DDL: BEGIN IMMEDIATE takes the write
 * lock before the applied migrations are read, the second process waits for the first (see
 * busy_timeout), and a failed migration rolls back entirely.
 */
async function migrateInWriteTransaction(
  db: Kysely<Database>,
  sqlite: SqliteDatabase.Database,
): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection)
    try {
      await migrateToLatest(connection)
      await sql`commit`.execute(connection)
    } catch (error) {
      // Some errors (SQLITE_FULL, SQLITE_IOERR) have already rolled back; a second rollback
      // would fail and hide the original error.
      if (sqlite.inTransaction) await sql`rollback`.execute(connection)
      throw error
    }
  })
}
