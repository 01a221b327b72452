import type { Compilable, CompiledQuery, Insertable, QueryResult } from 'kysely'
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteDatabase } from '../sqlite.js'
import { compileOnce } from './compiled-query.js'
import { TOKEN_ROW } from './hot-queries.js'
import type { TokenRow } from './rows.js'
import type { Database, UsersTable } from './schema.js'

/** Kysely's documented compile-only setup: nothing connects, the runner below sees the query. */
function compileOnly(dialect: 'postgres' | 'sqlite'): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => (dialect === 'postgres' ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        dialect === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db),
      createQueryCompiler: () =>
        dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler(),
    },
  })
}

/** A runner that records what it is asked to run. */
function recorder() {
  const queries: CompiledQuery[] = []
  return {
    queries,
    async executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> {
      queries.push(query)
      return { rows: [] }
    },
  }
}

function token(hash: string, kind: 'access' | 'refresh'): TokenRow {
  return {
    token_hash: hash,
    kind,
    client_id: 'c1',
    user_id: 'u1',
    scope: 'read',
    resources: '[]',
    grant_id: 'g1',
    issued_at: 100,
    expires_at: kind === 'access' ? 200 : null,
    revoked_at: null,
    rotated_at: null,
  }
}

interface MappingCase {
  readonly name: string
  readonly compile: (db: Kysely<Database>) => {
    readonly run: (on: ReturnType<typeof recorder>) => Promise<unknown>
  }
  readonly parameters: readonly unknown[]
}

/** Each query in `compile` is run twice, so that the second run reuses the first compilation. */
const mappingCases: readonly MappingCase[] = [
  {
    name: 'arguments bind by their place in the SQL, not in the shape, around a constant',
    compile: (db) => {
      const query = compileOnce(
        { after: 'required', kind: 'required', client: 'required' },
        (args: { after: number; kind: 'access' | 'refresh'; client: string }) =>
          db
            .selectFrom('tokens')
            .selectAll()
            .where('client_id', '=', args.client)
            .where('scope', '=', 'read')
            .where('issued_at', '>', args.after)
            .where('kind', '=', args.kind)
            .where('revoked_at', 'is', null),
      )
      return { run: (on) => query.execute(on, { after: 100, kind: 'refresh', client: 'c1' }) }
    },
    parameters: ['c1', 'read', 100, 'refresh'],
  },
  {
    name: 'an insert binds every column of the shape in its order; undefined or-null binds NULL',
    compile: (db) => {
      const query = compileOnce(TOKEN_ROW, (row: TokenRow) => db.insertInto('tokens').values(row))
      const { rotated_at: _, ...partial } = token('t1', 'access')
      return { run: (on) => query.execute(on, partial as TokenRow) }
    },
    parameters: ['t1', 'access', 'c1', 'u1', 'read', '[]', 'g1', 100, 200, null, null],
  },
  {
    name: 'a tuple of rows binds row after row',
    compile: (db) => {
      const query = compileOnce([TOKEN_ROW, TOKEN_ROW], (rows: readonly [TokenRow, TokenRow]) =>
        db.insertInto('tokens').values(rows),
      )
      return {
        run: (on) => query.execute(on, [token('a', 'access'), token('r', 'refresh')]),
      }
    },
    parameters: [
      ...['a', 'access', 'c1', 'u1', 'read', '[]', 'g1', 100, 200, null, null],
      ...['r', 'refresh', 'c1', 'u1', 'read', '[]', 'g1', 100, null, null, null],
    ],
  },
  {
    name: 'an argument used twice binds in both places',
    compile: (db) => {
      const query = compileOnce({ id: 'required' }, (args: { id: string }) =>
        db
          .selectFrom('users')
          .selectAll()
          .where((eb) => eb.or([eb('id', '=', args.id), eb('username', '=', args.id)])),
      )
      return { run: (on) => query.execute(on, { id: 'u7' }) }
    },
    parameters: ['u7', 'u7'],
  },
]

describe.each(['sqlite', 'postgres'] as const)('compileOnce on %s', (dialect) => {
  it.each(mappingCases)('$name', async ({ compile, parameters }) => {
    const db = compileOnly(dialect)
    const { run } = compile(db)
    const on = recorder()
    await run(on)
    await run(on)
    const [first, second] = on.queries
    expect(first?.parameters).toEqual(parameters)
    // The same compiled SQL and tree both times: nothing was built again.
    expect(second?.sql).toBe(first?.sql)
    expect(second?.query).toBe(first?.query)
    expect(second?.parameters).toEqual(parameters)
  })

  it('compiles with the dialect of the Kysely instance the builder used', async () => {
    const db = compileOnly(dialect)
    const query = compileOnce({ id: 'required' }, (args: { id: string }) =>
      db.selectFrom('users').select('username').where('id', '=', args.id),
    )
    const on = recorder()
    await query.execute(on, { id: 'u1' })
    const placeholder = dialect === 'postgres' ? '$1' : '?'
    expect(on.queries[0]?.sql).toBe(`select "username" from "users" where "id" = ${placeholder}`)
  })

  interface RefusalCase {
    readonly name: string
    readonly build: (db: Kysely<Database>, args: { name: string }) => Compilable<unknown>
    readonly message: RegExp
  }

  it.each<RefusalCase>([
    {
      name: 'an argument written into the SQL text',
      build: (db, args) =>
        db.selectFrom('users').selectAll().where('username', '=', sql.lit(args.name)),
      message: /an argument was written into the SQL text/,
    },
    {
      name: 'an argument inside a larger value',
      build: (db, args) =>
        db.selectFrom('users').selectAll().where('username', 'like', `${args.name}%`),
      message: /parameter 1 holds an argument inside a larger value/,
    },
    {
      name: 'an argument the query does not bind',
      build: (db) => db.selectFrom('users').selectAll(),
      message: /argument name is not bound by the query/,
    },
  ])('refuses $name when it compiles, before running anything', async ({ build, message }) => {
    const db = compileOnly(dialect)
    const query = compileOnce({ name: 'required' }, (args: { name: string }) => build(db, args))
    const on = recorder()
    await expect(query.execute(on, { name: 'alice' })).rejects.toThrow(message)
    expect(on.queries).toEqual([])
  })
})

describe('compileOnce on an in-memory SQLite database', () => {
  let db: Kysely<Database>

  beforeEach(async () => {
    db = await openSqliteDatabase({ path: ':memory:' })
    const users: readonly Insertable<UsersTable>[] = [
      { id: 'u1', username: 'alice', password_hash: 'h1', created_at: 100 },
      { id: 'u2', username: 'bob', password_hash: 'h2', created_at: 200 },
    ]
    await db.insertInto('users').values(users).execute()
  })
  afterEach(async () => {
    await db.destroy()
  })

  function findUser() {
    return compileOnce(
      { username: 'required', after: 'required' },
      (args: { username: string; after: number }) =>
        db
          .selectFrom('users')
          .select(['id', 'username'])
          .where('username', '=', args.username)
          .where('created_at', '>', args.after),
    )
  }

  it('the same compiled query, run with other arguments, returns other rows', async () => {
    const query = findUser()
    expect((await query.execute(db, { username: 'alice', after: 0 })).rows).toEqual([
      { id: 'u1', username: 'alice' },
    ])
    expect((await query.execute(db, { username: 'bob', after: 0 })).rows).toEqual([
      { id: 'u2', username: 'bob' },
    ])
    expect((await query.execute(db, { username: 'bob', after: 200 })).rows).toEqual([])
  })

  it.each<{ readonly name: string; readonly args: unknown; readonly message: RegExp }>([
    {
      name: 'a required argument left out',
      args: { username: 'alice' },
      message: /argument after is missing/,
    },
    {
      name: 'a required argument undefined',
      args: { username: undefined, after: 0 },
      message: /argument username is missing/,
    },
    { name: 'no arguments at all', args: undefined, message: /the arguments are missing/ },
  ])('rejects $name', async ({ args, message }) => {
    const query = findUser()
    await expect(query.execute(db, args as { username: string; after: number })).rejects.toThrow(
      new RegExp(`^compiled query: ${message.source}`),
    )
  })

  it('a tuple of rows with a row left out is missing that row, not a row of NULLs', async () => {
    const query = compileOnce([TOKEN_ROW, TOKEN_ROW], (rows: readonly [TokenRow, TokenRow]) =>
      db.insertInto('tokens').values(rows),
    )
    const rows = [token('a', 'access')] as unknown as readonly [TokenRow, TokenRow]
    await expect(query.execute(db, rows)).rejects.toThrow(/argument 1 is missing/)
    expect(await db.selectFrom('tokens').selectAll().execute()).toEqual([])
  })

  it('runs inside a transaction, on its connection', async () => {
    const insert = compileOnce(
      { id: 'required', username: 'required' },
      (args: { id: string; username: string }) =>
        db.insertInto('users').values({ ...args, password_hash: 'h', created_at: 300 }),
    )
    const query = findUser()
    const rolledBack = new Error('roll back')
    await expect(
      db.transaction().execute(async (trx) => {
        await insert.execute(trx, { id: 'u3', username: 'carol' })
        // Seen inside the transaction before it commits.
        expect((await query.execute(trx, { username: 'carol', after: 0 })).rows).toEqual([
          { id: 'u3', username: 'carol' },
        ])
        throw rolledBack
      }),
    ).rejects.toBe(rolledBack)
    expect((await query.execute(db, { username: 'carol', after: 0 })).rows).toEqual([])

    await db.transaction().execute(async (trx) => {
      await insert.execute(trx, { id: 'u3', username: 'carol' })
    })
    expect((await query.execute(db, { username: 'carol', after: 0 })).rows).toEqual([
      { id: 'u3', username: 'carol' },
    ])
  })
})
