import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { InitialAccessTokenRecord } from '../../src/core/store/store.js'
import { StoreUnavailableError } from '../../src/core/store/store-unavailable-error.js'
import type { Logger } from '../../src/logger.js'
import { MIGRATION_TABLE } from '../../src/store/kysely/migrate.js'
import { migrations } from '../../src/store/kysely/migrations/index.js'
import type { PostgresStore } from '../../src/store/postgres.js'
import {
  migratePostgres,
  openPostgresDatabase,
  openPostgresStore,
} from '../../src/store/postgres.js'
import type { TestSchema } from '../support/postgres.js'
import {
  adminQuery,
  databaseAddress,
  databaseUrl,
  describePostgres,
  testSchema,
  urlThrough,
} from '../support/postgres.js'
import type { TcpProxy } from '../support/tcp-proxy.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import { describeStoreContract, publicClient } from './contract.js'
import { describeClientUpdatesContract } from './contract-client-updates.js'
import { describeSignInAddressesContract } from './contract-sign-in-addresses.js'

describePostgres('PostgreSQL', () => {
  describeStoreContract('PostgreSQL, a fresh schema per test', async () => {
    const schema = testSchema()
    const store = await openPostgresStore({ connectionString: databaseUrl(), schema: schema.name })
    return {
      store,
      cleanup: async () => {
        await store.close()
        await schema.drop()
      },
    }
  })

  describeClientUpdatesContract('PostgreSQL, a fresh schema per test', async () => {
    const schema = testSchema()
    const store = await openPostgresStore({ connectionString: databaseUrl(), schema: schema.name })
    return { store, cleanup: () => store.close().then(() => schema.drop()) }
  })

  describeSignInAddressesContract('PostgreSQL, a fresh schema per test', async () => {
    const schema = testSchema()
    const store = await openPostgresStore({ connectionString: databaseUrl(), schema: schema.name })
    return { store, cleanup: () => store.close().then(() => schema.drop()) }
  })

  describe('PostgreSQL store', () => {
    let schema: TestSchema
    const open: PostgresStore[] = []
    const openStore = async (
      options: {
        migrate?: boolean
        connectionString?: string
        statementTimeoutMs?: number
        connectTimeoutMs?: number
        poolSize?: number
      } = {},
      logger?: Logger,
    ) => {
      const store = await openPostgresStore({
        connectionString: databaseUrl(),
        schema: schema.name,
        ...options,
        ...(logger === undefined ? {} : { logger }),
      })
      open.push(store)
      return store
    }

    beforeEach(() => {
      schema = testSchema()
    })
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()))
      await schema.drop()
    })

    it('runs its hot statements prepared, and unnamed once a column added by a newer instance changes their rows (SQLSTATE 0A000)', async () => {
      // One connection, so the statement prepared by the first read is the one the second meets.
      const store = await openStore({ poolSize: 1 })
      const client = publicClient('prepared-1')
      await store.createClient(client)
      expect((await store.getClient('prepared-1'))?.clientId).toBe('prepared-1')
      // A rolling upgrade: another instance's migration adds a column under the running one.
      await adminQuery(`alter table "${schema.name}".clients add column added_later text`)
      for (let attempt = 0; attempt < 3; attempt++) {
        expect((await store.getClient('prepared-1'))?.clientId).toBe('prepared-1')
      }
      // Writes through other prepared statements on the same connection go on working.
      await store.createClient(publicClient('prepared-2'))
      expect((await store.getClient('prepared-2'))?.clientId).toBe('prepared-2')
    })

    it('puts every table in the configured schema and none in public', async () => {
      const publicTables = () =>
        adminQuery<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = 'public' order by 1",
        )
      const before = await publicTables()
      await openStore()
      const tables = await adminQuery<{ table_name: string }>(
        'select table_name from information_schema.tables where table_schema = $1',
        [schema.name],
      )
      expect(tables.map((table) => table.table_name)).toEqual(
        expect.arrayContaining(['clients', 'initial_access_tokens', MIGRATION_TABLE]),
      )
      expect(await publicTables()).toEqual(before)
    })

    it("keeps startup options given in the URL's own options parameter beside the schema", async () => {
      const url = new URL(databaseUrl())
      url.searchParams.set('options', '-c lock_timeout=1234')
      const db = await openPostgresDatabase({
        connectionString: url.toString(),
        schema: schema.name,
      })
      try {
        const { rows } = await sql<{
          schema: string
          lock_timeout: string
        }>`select current_schema() as schema, current_setting('lock_timeout') as lock_timeout`.execute(
          db,
        )
        expect(rows).toEqual([{ schema: schema.name, lock_timeout: '1234ms' }])
      } finally {
        await db.destroy()
      }
    })

    it('of 5 instances migrating the same fresh schema at once, exactly one runs the migrations', async () => {
      const ran = await Promise.all(
        Array.from({ length: 5 }, () =>
          migratePostgres({ connectionString: databaseUrl(), schema: schema.name }),
        ),
      )
      const names = Object.keys(migrations).sort()
      expect(ran.filter((list) => list.length > 0)).toEqual([names])
      const rows = await adminQuery<{ name: string }>(
        `select name from ${schema.name}.${MIGRATION_TABLE} order by name`,
      )
      expect(rows.map((row) => row.name)).toEqual(names)
    })

    it('starts while other sessions create and drop schemas of their own (a shared database)', async () => {
      let churning = true
      const churn = (async () => {
        for (let i = 0; churning; i++) {
          const other = `${schema.name}_other_${i}`
          await adminQuery(`create schema ${other}; create table ${other}.t (id serial)`)
          await adminQuery(`drop schema ${other} cascade`)
        }
      })()
      try {
        for (let round = 0; round < 3; round++) {
          const stores = await Promise.all(
            Array.from({ length: 3 }, (_, i) =>
              openPostgresStore({
                connectionString: databaseUrl(),
                schema: `${schema.name}_${round}_${i}`,
              }),
            ),
          )
          await Promise.all(stores.map((store) => store.close()))
        }
      } finally {
        churning = false
        await churn
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 3; i++)
            await adminQuery(`drop schema ${schema.name}_${round}_${i} cascade`)
        }
      }
    })

    it('opening a migrated schema again runs nothing', async () => {
      await openStore()
      expect(
        await migratePostgres({ connectionString: databaseUrl(), schema: schema.name }),
      ).toEqual([])
    })

    it('refuses a schema migrated by a newer registrar, naming the unknown migration', async () => {
      await openStore()
      await adminQuery(
        `insert into ${schema.name}.${MIGRATION_TABLE} (name, timestamp) values ($1, $2)`,
        ['9999_from_the_future', new Date().toISOString()],
      )
      const message =
        'database was migrated by a newer registrar: unknown migration 9999_from_the_future'
      await expect(openStore()).rejects.toThrow(message)
      await expect(openStore({ migrate: false })).rejects.toThrow(message)
    })

    it('with migrate: false, refuses a schema that has pending migrations', async () => {
      await expect(openStore({ migrate: false })).rejects.toThrow(
        /^database is not migrated: pending migration 0001_clients_and_initial_access_tokens/,
      )
    })

    it('a failed migration is named and leaves no part of its schema behind', async () => {
      await adminQuery(`create schema ${schema.name}`)
      await adminQuery(`create table ${schema.name}.clients (unrelated text)`)
      await expect(openStore()).rejects.toThrow(
        /^migration 0001_clients_and_initial_access_tokens failed: .*"clients" already exists/,
      )
      const tables = await adminQuery<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = $1
          and table_name not like 'registrar_migration%'`,
        [schema.name],
      )
      expect(tables).toEqual([{ table_name: 'clients' }])
    })

    it('checkReady resolves on a migrated schema and rejects once a migration is missing', async () => {
      const store = await openStore()
      await expect(store.checkReady()).resolves.toBeUndefined()
      await adminQuery(`delete from ${schema.name}.${MIGRATION_TABLE} where name = $1`, [
        Object.keys(migrations).sort()[0],
      ])
      await expect(store.checkReady()).rejects.toThrow(/^database is not migrated/)
    })

    it('a bad schema name is a TypeError naming the rule', async () => {
      await expect(
        openPostgresStore({ connectionString: databaseUrl(), schema: 'Robert"; drop' }),
      ).rejects.toThrow(TypeError)
    })

    describe('when the database goes away', () => {
      let proxy: TcpProxy

      beforeEach(async () => {
        proxy = await startTcpProxy(databaseAddress())
      })
      afterEach(async () => {
        await proxy.close()
      })

      it('a reset connection is StoreUnavailableError, and the store recovers by itself', async () => {
        const warnings: string[] = []
        const store = await openStore(
          { connectionString: urlThrough(proxy.port) },
          recordingLogger(warnings),
        )
        await store.createInitialAccessToken(token('iat-1'))
        proxy.cut()
        // The idle pooled connection breaks while nobody uses it: logged, not thrown.
        await waitFor(() => warnings.some((w) => w.includes('connection lost')))
        await expect(store.findInitialAccessTokenByHash('hash-iat-1')).rejects.toBeInstanceOf(
          StoreUnavailableError,
        )
        await expect(store.createInitialAccessToken(token('iat-2'))).rejects.toBeInstanceOf(
          StoreUnavailableError,
        )
        await expect(store.checkReady()).rejects.toBeInstanceOf(StoreUnavailableError)
        proxy.restore()
        expect((await store.findInitialAccessTokenByHash('hash-iat-1'))?.id).toBe('iat-1')
        await expect(store.checkReady()).resolves.toBeUndefined()
      })

      it('a database that stops answering is StoreUnavailableError within the timeout, not a hang', async () => {
        const store = await openStore({
          connectionString: urlThrough(proxy.port),
          statementTimeoutMs: 500,
          connectTimeoutMs: 1000,
        })
        await store.createInitialAccessToken(token('iat-1'))
        proxy.stall()
        const started = Date.now()
        // The pooled connection gets the query and no answer (read timeout, 0.5 s + 1 s); a new
        // one gets no handshake (connect timeout). Either way: unavailable, in bounded time.
        await expect(store.findInitialAccessTokenByHash('hash-iat-1')).rejects.toBeInstanceOf(
          StoreUnavailableError,
        )
        await expect(store.listInitialAccessTokens()).rejects.toBeInstanceOf(StoreUnavailableError)
        expect(Date.now() - started).toBeLessThan(10_000)
        proxy.restore()
        await waitFor(async () => {
          try {
            return (await store.findInitialAccessTokenByHash('hash-iat-1'))?.id === 'iat-1'
          } catch {
            return false
          }
        })
      })
    })
  })
})

function token(id: string): InitialAccessTokenRecord {
  return {
    id,
    tokenHash: `hash-${id}`,
    createdAt: 1_750_000_000,
    expiresAt: null,
    maxUses: null,
    uses: 0,
    revokedAt: null,
    description: null,
  }
}

function recordingLogger(warnings: string[]): Logger {
  return {
    info() {},
    warn(_fields, message) {
      warnings.push(message)
    },
    error(_fields, message) {
      warnings.push(message)
    },
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
