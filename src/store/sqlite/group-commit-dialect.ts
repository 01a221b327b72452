import type SqliteDatabase from 'better-sqlite3'
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
} from 'kysely'
import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'
import type { BackgroundCheckpointerOptions } from './background-checkpointer.js'
import { BackgroundCheckpointer } from './background-checkpointer.js'
import { StatementCache } from './statement-cache.js'
import { translateSqliteError } from './translate-sqlite-error.js'
import { WalSync } from './wal-sync.js'

export interface GroupCommitOptions {
  /**
   * Writes gathered into one commit at most (default 256). A batch closes earlier whenever the
   * event loop has nothing else ready to run, so this only bounds the wait under a flood.
   */
  readonly maxBatch?: number
  /**
   * The database file whose write-ahead log the driver syncs itself, off the event loop, before
   * acknowledging a write (see wal-sync.ts); the connection must then run with
   * `synchronous=NORMAL`. Absent: SQLite's own synchronous setting decides (an in-memory
   * database, or a connection left at FULL).
   */
  readonly syncWalOf?: string
  /**
   * With `syncWalOf`: checkpoint the log on a worker thread (background-checkpointer.ts) rather
   * than in SQLite's automatic checkpoint inside a COMMIT (default on). Off for short-lived
   * processes such as CLI commands, which gain nothing from a thread.
   */
  readonly backgroundCheckpoint?: boolean | BackgroundCheckpointerOptions
}

/**
 * Kysely over one better-sqlite3 connection with group commit: writes from concurrent requests
 * share one transaction and one fsync, and each is acknowledged only once that commit is on
 * disk.
 *
 * Why: with `synchronous=FULL` in WAL mode every commit fsyncs the log. Measured on the bench
 * machines one fsync'd commit costs about 170 µs while ten writes per commit cost about 28 µs
 * each (issue #6), and better-sqlite3 runs the fsync on the event loop, so one commit per
 * request capped registration at about 400/s. How:
 *
 * - The first write opens a real transaction (BEGIN IMMEDIATE) that stays open while the
 *   current turn of the event loop runs; later writes join it. A `setImmediate` closes it with
 *   COMMIT once the loop has run what was ready, or at once when `maxBatch` writes joined.
 * - Each Kysely transaction becomes a SAVEPOINT inside it, so one that fails rolls back alone,
 *   and one at a time holds the connection (a FIFO queue: Kysely's own SQLite mutex wakes every
 *   waiter on each release, which cost p99 latency under load).
 * - A write, or a Kysely transaction, resolves only once its batch is durable: after the COMMIT
 *   and, with `syncWalOf`, after a sync of the log that began after it (wal-sync.ts). If either
 *   fails, every write in the batch fails with its error, and nothing was answered.
 * - A read that runs while writes wait to be durable may see them, so it waits too before
 *   returning: no answer depends on data that a power cut could still take back.
 *   A read with no writes pending runs and returns at once.
 * - The connection is handed to the next caller as soon as a write has run, not when it is
 *   durable, so that the next write can join the batch.
 */
export class GroupCommitSqliteDialect implements Dialect {
  readonly #database: SqliteDatabase.Database
  readonly #options: GroupCommitOptions

  #driver: GroupCommitSqliteDriver | null = null

  constructor(database: SqliteDatabase.Database, options: GroupCommitOptions = {}) {
    this.#database = database
    this.#options = options
  }

  createDriver(): Driver {
    this.#driver = new GroupCommitSqliteDriver(this.#database, this.#options)
    return this.#driver
  }

  /** Throws StoreUnavailableError once a sync of the log has failed (see wal-sync.ts). */
  assertHealthy(): void {
    this.#driver?.assertHealthy()
  }

  /**
   * How many times writes were held back for a checkpoint that lets the log restart (see
   * background-checkpointer.ts): a figure for diagnostics and tests.
   */
  get quietCheckpoints(): number {
    return this.#driver?.quietCheckpoints ?? 0
  }

  /**
   * Runs one compiled statement outside any transaction straight on the driver, without
   * Kysely's executor and connection provider around it: on the hot read paths those layers of
   * promises cost about a twentieth of a request (issue 6 profiles). Same semantics as
   * `db.executeQuery(query)`, for a dialect with no plugins. Only once the Kysely instance built
   * on this dialect has been used (it creates the driver).
   */
  executeDirect(query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (this.#driver === null) {
      return Promise.reject(new Error('the Kysely instance on this dialect was never used'))
    }
    return this.#driver.executeDirect(query)
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter()
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect signature takes Kysely<any>.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db)
  }
}

/** The one open transaction that the pending writes share, and the fate they wait for. */
class Batch {
  writes = 0
  readonly durable: Promise<void>
  #resolve!: () => void
  #reject!: (error: unknown) => void

  constructor() {
    this.durable = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    // A batch can fail with nobody waiting on it (its only transaction already rolled back),
    // and that rejection must not become an unhandled one.
    this.durable.catch(() => {})
  }

  // Arrow functions: handed to then() as they are.
  readonly committed = (): void => {
    this.#resolve()
  }

  readonly failed = (error: unknown): void => {
    this.#reject(error)
  }
}

/** One caller's turn on the connection, from acquireConnection to its release. */
class Lease implements DatabaseConnection {
  readonly #driver: GroupCommitSqliteDriver
  released = false
  inTransaction = false

  constructor(driver: GroupCommitSqliteDriver) {
    this.#driver = driver
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.#driver.execute(this, query) as Promise<QueryResult<R>>
  }

  // biome-ignore lint/correctness/useYield: streaming is refused, see the message.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the group-commit SQLite driver does not stream; select in pages instead')
  }
}

const SAVEPOINT = 'registrar_transaction'

export class GroupCommitSqliteDriver implements Driver {
  readonly #db: SqliteDatabase.Database
  readonly #statements: StatementCache
  readonly #maxBatch: number
  readonly #waiting: Array<(lease: Lease) => void> = []
  #holder: Lease | null = null
  #batch: Batch | null = null
  #flushScheduled = false
  #flushRequested = false
  #destroyed = false
  #destroying: Promise<void> | null = null
  readonly #walSync: WalSync | null
  #checkpointer: BackgroundCheckpointer | null = null
  /** New connections wait while a quiet checkpoint runs (see background-checkpointer.ts). */
  #quiet = false
  #quietCheckpoints = 0
  readonly #options: GroupCommitOptions

  constructor(database: SqliteDatabase.Database, options: GroupCommitOptions) {
    this.#db = database
    this.#options = options
    this.#walSync = options.syncWalOf === undefined ? null : new WalSync(options.syncWalOf)
    this.#statements = new StatementCache(database)
    const maxBatch = options.maxBatch ?? 256
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`)
    }
    this.#maxBatch = maxBatch
  }

  /**
   * The checkpointer starts here rather than in the constructor: Kysely calls destroy() only
   * on a driver it initialised, and only destroy() stops the worker.
   */
  async init(): Promise<void> {
    const walOf = this.#options.syncWalOf
    const checkpoint = this.#options.backgroundCheckpoint ?? true
    if (walOf === undefined || checkpoint === false) return
    const checkpointer = new BackgroundCheckpointer(
      walOf,
      // The worker is gone: SQLite's own checkpoint, at its default 1,000 pages, takes over.
      () => {
        this.#checkpointer = null
        if (this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000')
        this.#grantNext()
      },
      checkpoint === true ? {} : checkpoint,
    )
    this.#db.pragma(`wal_autocheckpoint = ${checkpointer.backstopFrames}`)
    this.#checkpointer = checkpointer
  }

  acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) return Promise.reject(new Error('the SQLite store is closed'))
    if (this.#holder === null && this.#waiting.length === 0 && !this.#quiet) {
      const lease = new Lease(this)
      this.#holder = lease
      return Promise.resolve(lease)
    }
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#release(connection as Lease)
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease
    this.#openBatch()
    this.#db.exec(`savepoint ${SAVEPOINT}`)
    lease.inTransaction = true
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease
    const batch = this.#batchOf(lease)
    this.#db.exec(`release ${SAVEPOINT}`)
    lease.inTransaction = false
    batch.writes += 1
    this.#release(lease)
    this.#scheduleFlush(batch)
    await batch.durable
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease
    // Kysely rolls back when the commit failed too; by then the lease was handed on, and the
    // savepoint belongs to somebody else.
    if (lease.released || !lease.inTransaction) return
    lease.inTransaction = false
    this.#rollBackSavepoint()
    if (this.#batch !== null) this.#scheduleFlush(this.#batch)
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.#nestedSavepoint(connection as Lease, 'savepoint', name)
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.#nestedSavepoint(connection as Lease, 'rollback to', name)
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.#nestedSavepoint(connection as Lease, 'release', name)
  }

  /** Commits what is pending, then closes the connection. */
  destroy(): Promise<void> {
    this.#destroying ??= this.#drainAndClose()
    return this.#destroying
  }

  async #drainAndClose(): Promise<void> {
    // Wait for the current holder and everyone queued, so that no transaction is cut in half.
    // Callers that queue behind us meanwhile (a write issued just before destroy() whose
    // acquire came a few microtasks later) go first too: the connection is handed on and asked
    // for again until nobody waits behind it. Only then are new callers refused, and closing
    // cannot leave a batch that a later turn of the loop would commit on a closed connection.
    let lease = (await this.acquireConnection()) as Lease
    while (this.#waiting.length > 0) {
      this.#release(lease)
      lease = (await this.acquireConnection()) as Lease
    }
    this.#destroyed = true
    this.#flush()
    this.#release(lease)
    await this.#walSync?.close()
    // The worker's connection first, so that the store's is the last: closing it checkpoints
    // the log and removes it.
    await this.#checkpointer?.close()
    this.#db.close()
  }

  assertHealthy(): void {
    this.#walSync?.assertHealthy()
  }

  get quietCheckpoints(): number {
    return this.#quietCheckpoints
  }

  /** One statement on a connection of its own, released when it is done. */
  async executeDirect(query: CompiledQuery): Promise<QueryResult<unknown>> {
    const lease = (await this.acquireConnection()) as Lease
    try {
      return await this.execute(lease, query)
    } finally {
      this.#release(lease)
    }
  }

  /** Runs one statement for `lease`; see the class comment for when it resolves. */
  async execute(lease: Lease, query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (lease.released) throw new Error('this connection was already released')
    const entry = this.#statements.get(query.sql)
    if (entry.controlsTransaction) {
      throw new Error('transactions are managed by the driver: use db.transaction()')
    }
    const parameters = query.parameters as unknown[]
    if (lease.inTransaction) {
      // Part of a Kysely transaction: it is acknowledged with the transaction's commit.
      this.#batchOf(lease)
      return this.#run(entry, parameters)
    }
    if (entry.readOnly) {
      const result = this.#run(entry, parameters)
      const open = this.#batch
      const pending =
        open !== null && open.writes > 0 ? open.durable : (this.#walSync?.untilDurable() ?? null)
      if (pending === null) return result
      this.#release(lease)
      await pending
      return result
    }
    const batch = this.#openBatch()
    let result: QueryResult<unknown>
    try {
      // A statement that fails (a constraint) is undone on its own and the batch goes on,
      // unless SQLite rolled it all back, which #run notices.
      result = this.#run(entry, parameters)
      batch.writes += 1
    } finally {
      this.#release(lease)
      this.#scheduleFlush(batch)
    }
    await batch.durable
    return result
  }

  #run(
    entry: ReturnType<StatementCache['get']>,
    parameters: readonly unknown[],
  ): QueryResult<unknown> {
    try {
      if (entry.returnsRows) return { rows: entry.statement.all(parameters) }
      const { changes, lastInsertRowid } = entry.statement.run(parameters)
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
    } catch (error) {
      // Translated once, so that the writes failed with a rolled-back batch see the same 503.
      const failure = translateSqliteError(error)
      this.#noticeRollback(failure)
      throw failure
    }
  }

  /**
   * SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM and a few others roll back the whole transaction
   * (https://sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"): every
   * write in the batch is then lost, and each must fail rather than be acknowledged.
   */
  #noticeRollback(error: unknown): void {
    const batch = this.#batch
    if (batch === null || this.#db.inTransaction) return
    this.#batch = null
    batch.failed(error)
  }

  /** The open batch, or a new one: BEGIN IMMEDIATE takes the write lock up front. */
  #openBatch(): Batch {
    if (this.#batch !== null) return this.#batch
    this.#walSync?.assertHealthy()
    try {
      // Waits up to busy_timeout for a lock another process holds (a CLI command), then 503s.
      this.#db.exec('begin immediate')
    } catch (error) {
      throw translateSqliteError(error)
    }
    this.#batch = new Batch()
    return this.#batch
  }

  /** The batch a running transaction belongs to; gone means SQLite rolled it back. */
  #batchOf(lease: Lease): Batch {
    if (this.#batch === null || !this.#db.inTransaction) {
      lease.inTransaction = false
      throw new Error('the transaction was rolled back by an earlier error in its batch')
    }
    return this.#batch
  }

  #nestedSavepoint(
    lease: Lease,
    command: 'savepoint' | 'rollback to' | 'release',
    name: string,
  ): void {
    this.#batchOf(lease)
    // An identifier, quoted as SQLite quotes them (a doubled quote inside).
    this.#db.exec(`${command} "${name.replaceAll('"', '""')}"`)
  }

  /**
   * Undoes the current Kysely transaction and nothing else. After SQLITE_FULL or SQLITE_IOERR
   * SQLite has already rolled the whole batch back (see #noticeRollback): nothing is left to undo.
   */
  #rollBackSavepoint(): void {
    if (this.#batch === null || !this.#db.inTransaction) return
    this.#db.exec(`rollback to ${SAVEPOINT}`)
    this.#db.exec(`release ${SAVEPOINT}`)
  }

  #scheduleFlush(batch: Batch): void {
    if (batch.writes >= this.#maxBatch) this.#flushRequested = true
    if (this.#flushRequested && this.#holder === null) {
      this.#flush()
      return
    }
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flushRequested = true
      if (this.#holder === null) this.#flush()
    })
  }

  /** COMMIT the open batch (when nobody is inside a transaction) and settle its writes. */
  #flush(): void {
    this.#flushRequested = false
    const batch = this.#batch
    if (batch === null) return
    this.#batch = null
    try {
      this.#db.exec('commit')
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('rollback')
      batch.failed(translateSqliteError(error))
      return
    }
    if (this.#walSync === null) batch.committed()
    else this.#walSync.afterCommit().then(batch.committed, batch.failed)
    this.#checkpointer?.noteCommit()
    // Between two batches is the one moment nothing is being written, so the place to give the
    // checkpointer the quiet moment it may want. Asking only when a caller was queued (#release)
    // missed it under HTTP load, where each write takes the free connection and hands it back
    // at once: the log grew past 120 MiB in 4 s of W1 and kept growing to SQLite's backstop
    // (256 MiB, a checkpoint inside COMMIT on the event loop); with this it stays at 64 MiB.
    this.#grantNext()
  }

  #release(lease: Lease): void {
    if (lease.released) return
    lease.released = true
    if (lease.inTransaction) {
      // Released without commit or rollback (Kysely never does this; a driver error might).
      lease.inTransaction = false
      this.#rollBackSavepoint()
    }
    this.#holder = null
    if (this.#flushRequested) this.#flush()
    this.#grantNext()
  }

  /** Hands the connection to the next in line, or first gives the checkpointer its moment. */
  #grantNext(): void {
    if (this.#holder !== null || this.#quiet) return
    const checkpointer = this.#checkpointer
    if (checkpointer?.wantsQuiet === true && this.#batch === null && !this.#destroyed) {
      this.#quiet = true
      this.#quietCheckpoints += 1
      void checkpointer.quietCheckpoint().finally(() => {
        this.#quiet = false
        this.#grantNext()
      })
      return
    }
    const next = this.#waiting.shift()
    if (next === undefined) return
    const successor = new Lease(this)
    this.#holder = successor
    next(successor)
  }
}
