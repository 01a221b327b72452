import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { CompiledQuery, Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'
import type { GroupCommitOptions } from './group-commit-dialect.js'
import { GroupCommitSqliteDialect } from './group-commit-dialect.js'

interface TestTables {
  items: { id: string; note: string | null }
}

let dir: string
let path: string
const open: Array<Kysely<TestTables>> = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registrar-group-commit-'))
  path = join(dir, 'test.db')
})

afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy()
  await rm(dir, { recursive: true, force: true })
})

/** A file database set up as sqlite.ts sets up the store's, and a count of its COMMITs. */
function openDatabase(options: GroupCommitOptions = { syncWalOf: '' }) {
  const sqlite = new SqliteDatabase(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.exec('create table if not exists items (id text primary key, note text)')
  // RAISE(ROLLBACK) undoes the whole transaction, as SQLITE_FULL or SQLITE_IOERR may.
  sqlite.exec(`create trigger if not exists items_rollback before insert on items
    when new.note = 'roll back everything' begin select raise(rollback, 'rolled back'); end`)
  const commits = { count: 0 }
  const exec = sqlite.exec.bind(sqlite)
  sqlite.exec = (source: string) => {
    if (source === 'commit') commits.count += 1
    return exec(source)
  }
  const dialect = new GroupCommitSqliteDialect(sqlite, {
    ...options,
    ...(options.syncWalOf === '' ? { syncWalOf: path } : {}),
  })
  const db = new Kysely<TestTables>({ dialect })
  open.push(db)
  return { db, sqlite, commits, dialect }
}

/** What another connection (another process, after a crash) would find committed. */
function committedIds(): string[] {
  const reader = new SqliteDatabase(path, { readonly: true })
  try {
    return (reader.prepare('select id from items order by id').all() as Array<{ id: string }>).map(
      (row) => row.id,
    )
  } finally {
    reader.close()
  }
}

const insert = (db: Kysely<TestTables>, id: string, note: string | null = null) =>
  db.insertInto('items').values({ id, note }).execute()

describe('group commit: writes from concurrent requests share one transaction and one sync', () => {
  it('concurrent writes are gathered into a few commits', async () => {
    const { db, commits } = openDatabase()
    await Promise.all(Array.from({ length: 200 }, (_, i) => insert(db, `item-${i}`)))
    expect(committedIds()).toHaveLength(200)
    // All 200 are issued in one turn of the event loop: one batch, or a few at most.
    expect(commits.count).toBeLessThanOrEqual(4)
  })

  it('a write is acknowledged only once another connection can see it committed', async () => {
    const { db } = openDatabase()
    const seenAtAcknowledgement: boolean[] = []
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await insert(db, `item-${i}`)
        seenAtAcknowledgement.push(committedIds().includes(`item-${i}`))
      }),
    )
    expect(seenAtAcknowledgement).toEqual(Array(50).fill(true))
  })

  it('maxBatch closes a batch early', async () => {
    const { db, commits } = openDatabase({ syncWalOf: '', maxBatch: 10 })
    await Promise.all(Array.from({ length: 100 }, (_, i) => insert(db, `item-${i}`)))
    expect(commits.count).toBeGreaterThanOrEqual(10)
  })

  it.each([0, -1, 1.5])('maxBatch %s is refused', (maxBatch) => {
    const sqlite = new SqliteDatabase(':memory:')
    try {
      expect(
        () =>
          new Kysely<TestTables>({ dialect: new GroupCommitSqliteDialect(sqlite, { maxBatch }) }),
      ).toThrow(RangeError)
    } finally {
      sqlite.close()
    }
  })
})

describe('group commit: one failure does not take the rest of its batch with it', () => {
  it('a transaction that throws rolls back alone; the others in its batch commit', async () => {
    const { db } = openDatabase()
    const results = await Promise.allSettled([
      insert(db, 'before'),
      db.transaction().execute(async (trx) => {
        await insert(trx, 'inside-failed-transaction')
        throw new Error('the caller changed its mind')
      }),
      db.transaction().execute(async (trx) => {
        await insert(trx, 'inside-good-transaction')
      }),
      insert(db, 'after'),
    ])
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    expect(committedIds()).toEqual(['after', 'before', 'inside-good-transaction'])
  })

  it('a statement that breaks a constraint fails alone', async () => {
    const { db } = openDatabase()
    await insert(db, 'taken')
    const results = await Promise.allSettled([
      insert(db, 'one'),
      insert(db, 'taken'),
      insert(db, 'two'),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(committedIds()).toEqual(['one', 'taken', 'two'])
  })

  it('when SQLite rolls the whole batch back, every write in it fails and none is acknowledged', async () => {
    const { db } = openDatabase()
    const results = await Promise.allSettled([
      insert(db, 'lost-1'),
      db.transaction().execute(async (trx) => {
        await insert(trx, 'lost-2')
      }),
      insert(db, 'trigger', 'roll back everything'),
    ])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(committedIds()).toEqual([])
    // The next write starts a new batch and succeeds.
    await insert(db, 'later')
    expect(committedIds()).toEqual(['later'])
  })
})

describe('group commit: no answer depends on a write that is not yet durable', () => {
  it('a read that may see a pending write returns only after that write is committed', async () => {
    const { db } = openDatabase()
    const order: string[] = []
    const write = insert(db, 'pending').then(() => order.push('write acknowledged'))
    const read = db
      .selectFrom('items')
      .selectAll()
      .execute()
      .then((rows) => {
        order.push('read answered')
        return { rows, committed: committedIds() }
      })
    const [, result] = await Promise.all([write, read])
    expect(result.rows.map((r) => r.id)).toEqual(['pending'])
    expect(result.committed).toEqual(['pending'])
    expect(order).toEqual(['write acknowledged', 'read answered'])
  })

  it('destroy commits what is pending before closing', async () => {
    const { db } = openDatabase()
    const writes = Promise.all(Array.from({ length: 20 }, (_, i) => insert(db, `item-${i}`)))
    open.splice(open.indexOf(db), 1)
    await Promise.all([writes, db.destroy()])
    expect(committedIds()).toHaveLength(20)
  })

  it('destroy lets a write that queued behind it finish, and commits it, before closing', async () => {
    // Without a log to sync, nothing slows the close down: a batch left open by the late write
    // would be committed by a later turn of the loop on a closed connection.
    const { db, dialect } = openDatabase({})
    await sql`select 1`.execute(db)
    open.splice(open.indexOf(db), 1)
    // A transaction holds the connection, so destroy() has to queue for it.
    let letGo: () => void = () => {}
    const holding = new Promise<void>((resolve) => {
      letGo = resolve
    })
    const held = db.transaction().execute(async (trx) => {
      await insert(trx, 'held')
      await holding
    })
    await new Promise((resolve) => setImmediate(resolve))
    const closing = db.destroy()
    await new Promise((resolve) => setImmediate(resolve))
    // Issued after destroy() was: it queues behind destroy's own turn on the connection.
    const late = dialect.executeDirect(
      CompiledQuery.raw('insert into items (id) values (?)', ['late']),
    )
    letGo()
    await Promise.all([held, closing, late])
    expect(committedIds().sort()).toEqual(['held', 'late'])
  })
})

describe('group commit: a log that cannot be synced stops all writing', () => {
  it('the write fails as unavailable, later writes too, and the dialect reports itself unhealthy', async () => {
    const sqlite = new SqliteDatabase(':memory:')
    sqlite.exec('create table items (id text primary key, note text)')
    // No such directory: the sync cannot even open the log, as a failing disk would refuse it.
    const dialect = new GroupCommitSqliteDialect(sqlite, {
      syncWalOf: join(dir, 'missing', 'test.db'),
      backgroundCheckpoint: false,
    })
    const db = new Kysely<TestTables>({ dialect })
    open.push(db)
    expect(() => dialect.assertHealthy()).not.toThrow()
    await expect(insert(db, 'first')).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(insert(db, 'second')).rejects.toBeInstanceOf(StoreUnavailableError)
    expect(() => dialect.assertHealthy()).toThrow(StoreUnavailableError)
  })
})

describe('group commit: the driver owns the transaction boundaries', () => {
  it.each(['begin', 'commit', 'rollback', 'savepoint x', 'release x', 'end'])(
    'a raw %s is refused',
    async (statement) => {
      const { db } = openDatabase()
      await expect(sql.raw(statement).execute(db)).rejects.toThrow(/use db.transaction/)
    },
  )

  it('nested savepoints inside a transaction roll back to where they began', async () => {
    const { db } = openDatabase()
    const trx = await db.startTransaction().execute()
    await insert(trx, 'kept')
    const inner = await trx.savepoint('inner').execute()
    await insert(inner, 'undone')
    await inner.rollbackToSavepoint('inner').execute()
    await inner.releaseSavepoint('inner').execute()
    await trx.commit().execute()
    expect(committedIds()).toEqual(['kept'])
  })
})

describe('background checkpoints keep the write-ahead log bounded under steady writes', () => {
  it('the log restarts instead of growing with every write', async () => {
    const { db } = openDatabase({
      syncWalOf: '',
      backgroundCheckpoint: { intervalMs: 1, restartFrames: 64 },
    })
    const note = 'x'.repeat(2000)
    for (let wave = 0; wave < 40; wave++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => insert(db, `w${wave}-${i}`, note)))
    }
    expect(committedIds()).toHaveLength(2000)
    // 2,000 rows of 2 kB are about 1,000 pages: without restarts the log would hold them all
    // (4 MB and more). With them it stays within a few times the 64-frame threshold.
    const { size } = await stat(`${path}-wal`)
    expect(size).toBeLessThan(64 * 4096 * 8)
  })

  it('the quiet moment comes between batches even when no caller ever waits for the connection (as under HTTP load)', async () => {
    const { db, dialect } = openDatabase({
      syncWalOf: '',
      backgroundCheckpoint: { intervalMs: 1, restartFrames: 1 },
    })
    await sql`select 1`.execute(db)
    const insertOne = (id: string) =>
      dialect.executeDirect(CompiledQuery.raw('insert into items (id) values (?)', [id]))
    // Each write finds the connection free, runs, and hands it back at once; the pause lets the
    // background checkpoint report a log of at least one frame, past restartFrames.
    for (let i = 0; i < 10; i++) {
      await insertOne(`alone-${i}`)
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
    expect(committedIds()).toHaveLength(10)
    // Before the driver offered it after every batch, it came only to a queued caller: never here.
    expect(dialect.quietCheckpoints).toBeGreaterThanOrEqual(1)
  })
})
