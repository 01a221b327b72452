import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ClientRecord } from '../../src/core/store/store.js'
import { StoreUnavailableError } from '../../src/core/store/store-unavailable-error.js'
import { KyselyStore } from '../../src/store/kysely/kysely-store.js'
import { MIGRATION_TABLE } from '../../src/store/kysely/migrate.js'
import { migrations } from '../../src/store/kysely/migrations/index.js'
import { openSqliteDatabase, openSqliteStore } from '../../src/store/sqlite.js'
import { OPEN_PROVENANCE } from '../support/client-tiers.js'
import { describeStoreContract } from './contract.js'
import { describeClientUpdatesContract } from './contract-client-updates.js'
import { describeSignInAddressesContract } from './contract-sign-in-addresses.js'

describeStoreContract('SQLite file database', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'registrar-store-'))
  const store = await openSqliteStore({ path: join(dir, 'registrar.db') })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})

describeStoreContract('SQLite :memory:', async () => {
  const store = await openSqliteStore({ path: ':memory:' })
  return { store, cleanup: () => store.close() }
})

describeClientUpdatesContract('SQLite :memory:', async () => {
  const store = await openSqliteStore({ path: ':memory:' })
  return { store, cleanup: () => store.close() }
})

describeSignInAddressesContract('SQLite :memory:', async () => {
  const store = await openSqliteStore({ path: ':memory:' })
  return { store, cleanup: () => store.close() }
})

describe('SQLite store', () => {
  let dir: string
  let path: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registrar-sqlite-'))
    path = join(dir, 'registrar.db')
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a file database runs with journal_mode=WAL, synchronous=NORMAL (the store syncs the log itself), foreign_keys=ON, busy_timeout=5000', async () => {
    const db = await openSqliteDatabase({ path })
    try {
      const pragma = async (name: string) =>
        (await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db)).rows[0]
      expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' })
      // 1 is NORMAL (0 OFF, 2 FULL, 3 EXTRA): the group-commit driver fdatasyncs the log before
      // it acknowledges a write (src/store/sqlite/wal-sync.ts).
      expect(await pragma('synchronous')).toEqual({ synchronous: 1 })
      expect(await pragma('foreign_keys')).toEqual({ foreign_keys: 1 })
      expect(await pragma('busy_timeout')).toEqual({ timeout: 5000 })
    } finally {
      await db.destroy()
    }
  })

  it('a write lock held by another process past busyTimeoutMs is "unavailable" (503, Retry-After: 1), not an error, and the next write succeeds', async () => {
    const store = await openSqliteStore({ path, busyTimeoutMs: 50 })
    const other = new SqliteDatabase(path)
    try {
      // A CLI command on the same file, in the middle of its write.
      other.exec('begin immediate')
      const refused = await store.createClient(client('while-locked')).catch((error) => error)
      expect(refused).toBeInstanceOf(StoreUnavailableError)
      expect((refused as StoreUnavailableError).retryAfterSeconds).toBe(1)
      expect((refused as StoreUnavailableError).cause).toMatchObject({ code: 'SQLITE_BUSY' })
      other.exec('commit')
      await store.createClient(client('after-unlock'))
      expect((await store.getClient('after-unlock'))?.clientId).toBe('after-unlock')
      expect(await store.getClient('while-locked')).toBeNull()
    } finally {
      if (other.inTransaction) other.exec('rollback')
      other.close()
      await store.close()
    }
  })

  it.each([-1, 1.5, Number.NaN])('refuses busyTimeoutMs %s', async (busyTimeoutMs) => {
    await expect(openSqliteStore({ path, busyTimeoutMs })).rejects.toThrow(/busyTimeoutMs/)
  })

  it("checkAlive throws once a sync of the log has failed, and only then (the driver's health, without a query)", async () => {
    const db = await openSqliteDatabase({ path })
    let failed: StoreUnavailableError | null = null
    const store = new KyselyStore(db, {
      checkHealth: () => {
        if (failed !== null) throw failed
      },
    })
    try {
      expect(() => store.checkAlive()).not.toThrow()
      failed = new StoreUnavailableError('the log could not be synced')
      expect(() => store.checkAlive()).toThrow(failed)
      await expect(store.checkReady()).rejects.toBe(failed)
    } finally {
      await store.close()
    }
  })

  it('reopening a file database keeps its data and does not run migrations again', async () => {
    const first = await openSqliteStore({ path })
    await first.createClient(client('kept'))
    await first.close()
    const appliedBefore = migrationRows(path)
    expect(appliedBefore.map((row) => row.name)).toEqual(Object.keys(migrations).sort())

    const second = await openSqliteStore({ path })
    try {
      expect(await second.getClient('kept')).toEqual(client('kept'))
    } finally {
      await second.close()
    }
    expect(migrationRows(path)).toEqual(appliedBefore)
  })

  it('refuses a database migrated by a newer registrar, naming the unknown migration', async () => {
    await (await openSqliteStore({ path })).close()
    const raw = new SqliteDatabase(path)
    raw
      .prepare(`insert into ${MIGRATION_TABLE} (name, timestamp) values (?, ?)`)
      .run('9999_from_the_future', new Date().toISOString())
    raw.close()

    const message =
      'database was migrated by a newer registrar: unknown migration 9999_from_the_future'
    await expect(openSqliteStore({ path })).rejects.toThrow(message)
    await expect(openSqliteStore({ path, migrate: false })).rejects.toThrow(message)
  })

  it('a failed migration is named in the error and leaves no part of its schema behind', async () => {
    const raw = new SqliteDatabase(path)
    raw.exec('create table clients (unrelated text)')
    raw.close()

    await expect(openSqliteStore({ path })).rejects.toThrow(
      /^migration 0001_clients_and_initial_access_tokens failed: .*clients.* already exists/,
    )
    expect(tableNames(path)).toEqual(['clients'])
  })

  it('with migrate: false, refuses a database that has pending migrations', async () => {
    await expect(openSqliteStore({ path, migrate: false })).rejects.toThrow(
      'database is not migrated: pending migration 0001_clients_and_initial_access_tokens',
    )
  })

  it('with migrate: false, opens a database that is up to date', async () => {
    await (await openSqliteStore({ path })).close()
    const store = await openSqliteStore({ path, migrate: false })
    try {
      await store.createClient(client('late-open'))
      expect(await store.getClient('late-open')).toEqual(client('late-open'))
    } finally {
      await store.close()
    }
  })

  it('software_id and software_version are copied from metadata into their own columns', async () => {
    const store = await openSqliteStore({ path })
    const base = client('with-software')
    await store.createClient({
      ...base,
      metadata: { ...base.metadata, software_id: 'sw-42', software_version: '1.0.3' },
    })
    await store.createClient(client('without-software'))
    await store.close()

    const raw = new SqliteDatabase(path, { readonly: true })
    try {
      expect(
        raw
          .prepare('select client_id, software_id, software_version from clients order by 1')
          .all(),
      ).toEqual([
        { client_id: 'with-software', software_id: 'sw-42', software_version: '1.0.3' },
        { client_id: 'without-software', software_id: null, software_version: null },
      ])
    } finally {
      raw.close()
    }
  })

  it('refuses times that are not integers, which SQLite would otherwise store as REAL', async () => {
    const store = await openSqliteStore({ path: ':memory:' })
    try {
      await expect(
        store.createClient({ ...client('fractional'), clientIdIssuedAt: 1_750_000_000.5 }),
      ).rejects.toThrow(RangeError)
      expect(await store.listClients()).toEqual([])
    } finally {
      await store.close()
    }
  })
})

function migrationRows(path: string): { name: string; timestamp: string }[] {
  const raw = new SqliteDatabase(path, { readonly: true })
  try {
    return raw
      .prepare<[], { name: string; timestamp: string }>(
        `select name, timestamp from ${MIGRATION_TABLE} order by name`,
      )
      .all()
  } finally {
    raw.close()
  }
}

function tableNames(path: string): string[] {
  const raw = new SqliteDatabase(path, { readonly: true })
  try {
    return raw
      .prepare<[], string>("select name from sqlite_master where type = 'table' order by name")
      .pluck()
      .all()
  } finally {
    raw.close()
  }
}

function client(clientId: string): ClientRecord {
  return {
    clientId,
    clientSecretHash: null,
    clientSecretExpiresAt: 0,
    clientIdIssuedAt: 1_750_000_000,
    updatedAt: 1_750_000_000,
    metadata: {
      redirect_uris: ['https://app.example.com/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      scope: 'openid',
    },
    provenance: OPEN_PROVENANCE,
    registrationAccessTokenHash: null,
    registrationAccessTokenExpiresAt: null,
    version: 1,
    trusted: false,
    resourceServer: null,
  }
}
