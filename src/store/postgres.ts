import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'
import { Kysely, sql } from 'kysely'
import pg from 'pg'
import type { RateLimiter } from '../core/rate-limit/rate-limiter.js'
import type { Logger } from '../logger.js'
import { silentLogger } from '../logger.js'
import { CurrentSchemaPostgresDialect } from './kysely/current-schema-introspector.js'
import { KyselyStore } from './kysely/kysely-store.js'
import type { MigrationState } from './kysely/migrate.js'
import {
  assertMigrated,
  MIGRATION_TABLE,
  migrateToLatest,
  migrationStatus,
} from './kysely/migrate.js'
import type { Database } from './kysely/schema.js'
import type { TableRateLimiterOptions } from './kysely/table-rate-limiter.js'
import { createTableRateLimiter } from './kysely/table-rate-limiter.js'
import type { PreparingClient, PreparingPool } from './postgres/prepared-statement-runner.js'
import { PreparedStatementRunner } from './postgres/prepared-statement-runner.js'
import { StoreUnavailableError } from '../core/store/store-unavailable-error.js'

/**
 * PostgreSQL through Kysely and node-postgres. Several registrar instances may share one
 * database: they migrate one at a time under an advisory lock, consume tokens with conditional
 * UPDATEs (kysely-store.ts) and can share registration rate limits (createPostgresRateLimiter).
 * A lost or unreachable database surfaces as StoreUnavailableError (503, never 500) and the pool
 * reconnects by itself when it returns.
 */

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database?sslmode=require`, as node-postgres reads it. */
  readonly connectionString: string
  /**
   * Schema that holds registrar's tables; created when missing. Connections put it first on
   * their search_path. @default the server's current_schema() for the user (usually public)
   */
  readonly schema?: string
  /** Most connections this instance opens. @default 10 */
  readonly poolSize?: number
  /**
   * Server-side limit on one statement, milliseconds; 0: none. The client gives up too, a
   * second later, when a query gets no answer at all (a network partition). @default 5000
   */
  readonly statementTimeoutMs?: number
  /** How long to wait for a new connection, milliseconds. @default 5000 */
  readonly connectTimeoutMs?: number
  /**
   * Apply pending migrations on open (default true). With false, a database that is not exactly
   * as new as this build is refused.
   */
  readonly migrate?: boolean
  /** Told about connections lost while idle, and about migrations applied. */
  readonly logger?: Logger
}

export const POSTGRES_DEFAULTS = {
  // node-postgres's own default; three instances use 30 of PostgreSQL's default 100.
  poolSize: 10,
  // Every registrar query is a key lookup or a one-row write: 5 s means something is wrong.
  statementTimeoutMs: 5000,
  connectTimeoutMs: 5000,
} as const

/** Schema names registrar accepts: plain identifiers, so they never need quoting. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * How long an instance waits for another instance's migration before giving up: registrar's
 * migrations take well under a second, so a minute means the other one is stuck.
 */
const MIGRATION_LOCK_TIMEOUT_MS = 60_000

/** Added to statementTimeoutMs for the client-side limit, to let the server's error arrive first. */
const CLIENT_TIMEOUT_MARGIN_MS = 1000

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
    return createPostgresRateLimiter(this.#db, limits)
  }
}

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
 * got there first). Instances starting together queue on a session advisory lock, taken on a
 * connection of its own (without the pool's statement timeout, which would cut a long wait or a
 * long migration short): the first migrates, the others then find nothing left to do.
 * Closing that connection releases the lock, also when the process dies half-way.
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

interface Settings {
  readonly connectionString: string
  readonly schema: string | undefined
  readonly poolSize: number
  readonly statementTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly logger: Logger
}

function resolveSettings(options: PostgresStoreOptions): Settings {
  const { schema } = options
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `schema must be a lowercase identifier (a-z, 0-9, _; at most 63 characters), got '${schema}'`,
    )
  }
  const settings: Settings = {
    connectionString: options.connectionString,
    schema,
    poolSize: options.poolSize ?? POSTGRES_DEFAULTS.poolSize,
    statementTimeoutMs: options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
    logger: options.logger ?? silentLogger,
  }
  if (!Number.isInteger(settings.poolSize) || settings.poolSize < 1) {
    throw new TypeError(`poolSize must be a positive integer, got ${settings.poolSize}`)
  }
  for (const name of ['statementTimeoutMs', 'connectTimeoutMs'] as const) {
    const value = settings[name]
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`${name} must be a non-negative integer of milliseconds, got ${value}`)
    }
  }
  return settings
}

/** What every connection, pooled or not, is opened with. */
function connectionConfig(settings: Settings): pg.PoolConfig {
  return {
    application_name: 'registrar',
    ...withSearchPath(settings.connectionString, settings.schema),
    // TCP keepalive notices a peer that vanished while the connection sat idle in the pool.
    keepAlive: true,
  }
}

/**
 * The schema goes in the startup parameters (`options=-c search_path=…`), so it is in force
 * from the first statement on without a round trip, and a search_path with only this schema
 * keeps other schemas' tables out of sight. node-postgres lets the URL's own `options` win over
 * the one given beside it, so the two are merged here instead.
 */
function withSearchPath(
  connectionString: string,
  schema: string | undefined,
): { connectionString: string; options?: string } {
  if (schema === undefined) return { connectionString }
  const searchPath = `-c search_path=${schema}`
  let url: URL
  try {
    url = new URL(connectionString)
  } catch {
    // Not a URL: node-postgres will say what is wrong with it when it connects.
    return { connectionString, options: searchPath }
  }
  const given = url.searchParams.get('options')
  url.searchParams.delete('options')
  return {
    connectionString: url.toString(),
    options: given === null || given.trim() === '' ? searchPath : `${given} ${searchPath}`,
  }
}

async function withMigrationConnection<T>(
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

/** The schema registrar's tables live in: the one configured, or the server's default. */
async function currentSchema(db: Kysely<Database>, settings: Settings): Promise<string> {
  if (settings.schema !== undefined) return settings.schema
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  )
  const schema = rows[0]?.schema ?? null
  if (schema === null) {
    throw new Error(
      'no schema to create tables in: the search_path names no existing schema; set one with ?schema=<name>',
    )
  }
  return schema
}

/**
 * node-postgres emits 'error' on a connection that breaks while nobody is using it (the server
 * restarted, a proxy cut it). Unhandled, that event would end the process; the pool drops the
 * connection by itself and the next request opens a new one. Checked-out clients get a listener
 * too: pg-pool removes its own while a client is lent out, and a client can break between two
 * statements of a transaction.
 */
function watchForLostConnections(pool: pg.Pool, logger: Logger): void {
  const lost = (error: Error) => {
    logger.warn({ err: error }, 'database connection lost; the pool will reconnect')
  }
  pool.on('error', lost)
  pool.on('connect', (client) => {
    client.on('error', lost)
  })
}

/**
 * Kysely's view of the pool, with every driver error that means "the database is away or
 * overloaded" turned into StoreUnavailableError. Doing it here, under Kysely, covers every query
 * of every store method, present and future, in one place.
 */
class UnavailabilityTranslatingPool implements PostgresPool, PreparingPool {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async connect(): Promise<UnavailabilityTranslatingClient> {
    try {
      return new UnavailabilityTranslatingClient(await this.#pool.connect())
    } catch (error) {
      throw translate(error)
    }
  }

  end(): Promise<void> {
    return this.#pool.end()
  }
}

/**
 * Connections on which a prepared statement stopped matching its table (see queryPrepared):
 * they run everything unnamed from then on. Weak, so a closed connection is forgotten.
 */
const unpreparable = new WeakSet<pg.PoolClient>()

class UnavailabilityTranslatingClient implements PostgresPoolClient, PreparingClient {
  readonly #client: pg.PoolClient
  /** Set when the connection itself failed: it goes back to the pool only to be closed. */
  #broken = false

  constructor(client: pg.PoolClient) {
    this.#client = client
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>
  query<R>(
    query: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof query !== 'string') {
      // Kysely passes cursors only when the dialect is given a Cursor class, which registrar's
      // is not: it never streams.
      throw new TypeError('registrar does not stream PostgreSQL queries')
    }
    return this.#run<R>(query, parameters ?? [], null)
  }

  /**
   * Runs `text` as the prepared statement `name` (prepared-statement-runner.ts). A statement
   * prepared as `select *` fails with SQLSTATE 0A000 ("cached plan must not change result type")
   * once another instance's migration adds a column to its table, during a rolling upgrade: the
   * statement is then run unnamed, on this connection for good.
   */
  async queryPrepared<R>(
    name: string,
    text: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> {
    if (unpreparable.has(this.#client)) return this.#run<R>(text, parameters, null)
    try {
      return await this.#run<R>(text, parameters, name)
    } catch (error) {
      if (sqlState(error) !== '0A000') throw error
      unpreparable.add(this.#client)
      return this.#run<R>(text, parameters, null)
    }
  }

  async #run<R>(
    text: string,
    parameters: ReadonlyArray<unknown>,
    name: string | null,
  ): Promise<PostgresQueryResult<R>> {
    // After a read timeout the connection may still owe the answer to the query that timed out,
    // and anything sent now would queue behind it for another timeout: fail at once instead.
    if (this.#broken) throw new StoreUnavailableError('database unavailable: connection lost')
    try {
      const values = [...parameters]
      const result =
        name === null
          ? await this.#client.query<R & pg.QueryResultRow>(text, values)
          : await this.#client.query<R & pg.QueryResultRow>({ name, text, values })
      return {
        command: result.command as PostgresQueryResult<R>['command'],
        rowCount: result.rowCount ?? 0,
        rows: result.rows,
      }
    } catch (error) {
      // A server's error (it has a SQLSTATE) leaves the connection usable; any other means the
      // socket is gone or out of step, as after a read timeout whose answer may still arrive.
      if (isUnavailable(error) && sqlState(error) === null) this.#broken = true
      throw translate(error)
    }
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy === true || this.#broken)
  }
}

/**
 * SQLSTATEs that say "not now" rather than "never": 08 connection exceptions; 53 insufficient
 * resources (too many connections, disk full); 57P01-57P03 shutting down, crashed, starting up;
 * 57014 statement_timeout; 40001 and 40P01 serialization failure and deadlock, which a retry
 * resolves; 55P03 lock timeout; 25006 a write reaching a read-only standby, as happens for a
 * moment during a failover.
 */
const TRANSIENT_SQLSTATE = /^(08...|53...|57P0[123]|57014|40001|40P01|55P03|25006)$/

/** Socket errors of Node.js: the database's host is away, refusing or unreachable. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * node-postgres reports a lost connection and its own timeouts with these messages and no code
 * (pg 8.23, pg-pool 3.14).
 */
const DRIVER_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'timeout expired',
])

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const state = sqlState(error)
  if (state !== null) return TRANSIENT_SQLSTATE.test(state)
  const code = (error as NodeJS.ErrnoException).code
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true
  return DRIVER_MESSAGES.has(error.message)
}

/** The SQLSTATE of an error the server sent; null for errors of the socket or the driver. */
function sqlState(error: unknown): string | null {
  return error instanceof pg.DatabaseError ? (error.code ?? null) : null
}

function translate(error: unknown): unknown {
  if (!isUnavailable(error)) return error
  const detail = error instanceof Error ? error.message : String(error)
  return new StoreUnavailableError(`database unavailable: ${detail}`, { cause: error })
}
