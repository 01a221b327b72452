import { createHash } from 'node:crypto'
import type { CompiledQuery, PostgresQueryResult, QueryResult } from 'kysely'
import type { QueryRunner } from '../kysely/compiled-query.js'

/** A pool connection that can run a statement under a name, preparing it on first use. */
export interface PreparingClient {
  queryPrepared<R>(
    name: string,
    text: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>>
  release(): void
}

export interface PreparingPool {
  connect(): Promise<PreparingClient>
}

/**
 * The name a statement is prepared under: derived from its text, so that the same text has the
 * same name on every connection and two texts never share one (128 bits of SHA-256). 42
 * characters, within PostgreSQL's 63-byte identifiers.
 */
export function preparedStatementName(text: string): string {
  return `registrar_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`
}

/**
 * Runs the store's hot statements (compiled once, compiled-query.ts) as named prepared
 * statements: each connection parses and plans one the first time it runs it, then only binds
 * and executes it (the extended query protocol, PostgreSQL docs §55.2.3). Unnamed statements
 * are parsed and planned again for every execution; for the 19-column insert of a registration
 * that was about a quarter of the work, in a PostgreSQL that shares the machine's CPUs with the
 * server: named, W1 went from 6,700 to 9,000 registrations a second and W2 from 4,500 to 6,200
 * tokens (issue 6, two alternating 3 s runs each).
 *
 * Only what KyselyStore runs outside transactions through its direct runner comes here: a fixed
 * set of texts, so the statements each connection keeps are bounded. Everything else (built per
 * call, inside transactions) stays unnamed through Kysely.
 */
export class PreparedStatementRunner implements QueryRunner {
  readonly #pool: PreparingPool
  readonly #names = new Map<string, string>()

  constructor(pool: PreparingPool) {
    this.#pool = pool
  }

  async executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> {
    let name = this.#names.get(query.sql)
    if (name === undefined) {
      name = preparedStatementName(query.sql)
      this.#names.set(query.sql, name)
    }
    const client = await this.#pool.connect()
    try {
      const result = await client.queryPrepared<R>(name, query.sql, query.parameters)
      // As Kysely's PostgreSQL driver reports results, so callers cannot tell the two apart.
      if (
        result.command === 'INSERT' ||
        result.command === 'UPDATE' ||
        result.command === 'DELETE' ||
        result.command === 'MERGE'
      ) {
        return { numAffectedRows: BigInt(result.rowCount), rows: result.rows ?? [] }
      }
      return { rows: result.rows ?? [] }
    } finally {
      client.release()
    }
  }
}
