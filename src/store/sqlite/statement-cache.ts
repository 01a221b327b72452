import type SqliteDatabase from 'better-sqlite3'

/** A prepared statement and what the driver needs to know about it, decided once. */
export interface CachedStatement {
  readonly statement: SqliteDatabase.Statement
  /** Returns rows (a SELECT, or a write with RETURNING): run with all(), else run(). */
  readonly returnsRows: boolean
  /** Changes nothing (sqlite3_stmt_readonly), so it need not wait for a commit of its own. */
  readonly readOnly: boolean
  /** BEGIN, COMMIT, SAVEPOINT and the like, which only the driver may issue. */
  readonly controlsTransaction: boolean
}

// SQLite reports these as read-only (https://sqlite.org/c3ref/stmt_readonly.html), so they
// are recognised by their first word instead.
const TRANSACTION_CONTROL = /^\s*(?:begin|commit|end|rollback|savepoint|release)\b/i

/**
 * Prepared statements by SQL text. Kysely compiles the same few dozen statements over and over;
 * better-sqlite3's prepare() parses and plans each time, which was 5.5 % of the CPU of a
 * registration in the profile (bench/results/2026-11-24T18-00-22Z). Least recently used
 * statements beyond `capacity` are dropped, so ad-hoc SQL (an IN list of varying length, say)
 * cannot grow the cache without bound.
 */
export class StatementCache {
  readonly #database: SqliteDatabase.Database
  readonly #capacity: number
  readonly #entries = new Map<string, CachedStatement>()

  constructor(database: SqliteDatabase.Database, capacity = 256) {
    this.#database = database
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  get(sql: string): CachedStatement {
    const cached = this.#entries.get(sql)
    if (cached !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.#entries.delete(sql)
      this.#entries.set(sql, cached)
      return cached
    }
    const statement = this.#database.prepare(sql)
    const entry: CachedStatement = {
      statement,
      returnsRows: statement.reader,
      readOnly: statement.readonly,
      controlsTransaction: TRANSACTION_CONTROL.test(sql),
    }
    this.#entries.set(sql, entry)
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    return entry
  }
}
