import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'
import type pg from 'pg'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'
import type { PreparingClient, PreparingPool } from './prepared-statement-runner.js'
import { isUnavailable, sqlState, translatePostgresError } from './translate-postgres-error.js'

/**
 * Kysely's view of the pool, with every driver error that means "the database is away or
 * overloaded" turned into StoreUnavailableError. Doing it here, under Kysely, covers every query
 * of every store method, present and future, in one place.
 */
export class UnavailabilityTranslatingPool implements PostgresPool, PreparingPool {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async connect(): Promise<UnavailabilityTranslatingClient> {
    try {
      return new UnavailabilityTranslatingClient(await this.#pool.connect())
    } catch (error) {
      throw translatePostgresError(error)
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
      throw translatePostgresError(error)
    }
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy === true || this.#broken)
  }
}
