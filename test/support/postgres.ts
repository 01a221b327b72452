import { randomBytes } from 'node:crypto'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { describe } from 'vitest'
import type { Database } from '../../src/store/kysely/schema.js'

/**
 * The PostgreSQL suites run against a real server named by TEST_DATABASE_URL (.ci/run sets it
 * and fails when the server is unreachable). Each test works in a schema of its own, created
 * fresh and dropped afterwards, so runs never see each other's rows, even in parallel.
 */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined

/** `describe` when TEST_DATABASE_URL is set; otherwise skipped, with a warning nobody misses. */
export function describePostgres(name: string, body: () => void): void {
  if (TEST_DATABASE_URL === undefined) {
    console.warn(
      `\n${'!'.repeat(78)}\n!! SKIPPED "${name}": TEST_DATABASE_URL is not set.\n!! Run e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx vitest run\n${'!'.repeat(78)}\n`,
    )
    describe.skip(name, body)
    return
  }
  describe(name, body)
}

export function databaseUrl(): string {
  if (TEST_DATABASE_URL === undefined) throw new Error('TEST_DATABASE_URL is not set')
  return TEST_DATABASE_URL
}

export interface TestSchema {
  readonly name: string
  /** TEST_DATABASE_URL with `schema=<name>`, as `registrar serve --database` takes it. */
  readonly url: string
  /** Drops the schema and everything in it. */
  drop(): Promise<void>
}

/** A schema name no other run uses; the store creates the schema when it migrates. */
export function testSchema(): TestSchema {
  const name = `registrar_test_${randomBytes(6).toString('hex')}`
  const url = new URL(databaseUrl())
  url.searchParams.set('schema', name)
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`drop schema if exists ${name} cascade`).then(() => undefined),
  }
}

/** One statement on a connection of its own, outside any store. */
export async function adminQuery<R extends pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl() })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

/**
 * A bare Kysely on a new, empty schema: no migrations run. For code that brings its own table
 * (the rate limiter and its migration).
 */
export async function bareSchemaDatabase(
  schema: TestSchema,
  poolSize = 10,
): Promise<Kysely<Database>> {
  await adminQuery(`create schema if not exists ${schema.name}`)
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: databaseUrl(),
        options: `-c search_path=${schema.name}`,
        max: poolSize,
      }),
    }),
  })
}

/** TEST_DATABASE_URL's host and port, for a proxy to forward to. */
export function databaseAddress(): { host: string; port: number } {
  const url = new URL(databaseUrl())
  return { host: url.hostname || '127.0.0.1', port: Number(url.port || 5432) }
}

/** TEST_DATABASE_URL pointed at another port of 127.0.0.1 (a proxy), with extra parameters. */
export function urlThrough(port: number, parameters: Record<string, string> = {}): string {
  const url = new URL(databaseUrl())
  url.hostname = '127.0.0.1'
  url.port = String(port)
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value)
  return url.toString()
}
