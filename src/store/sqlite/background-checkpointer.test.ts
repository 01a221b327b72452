import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BackgroundCheckpointer } from './background-checkpointer.js'

let dir: string
let path: string
const cleanUp: Array<() => Promise<void> | void> = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registrar-checkpointer-'))
  path = join(dir, 'test.db')
})

afterEach(async () => {
  for (const step of cleanUp.splice(0).reverse()) await step()
  await rm(dir, { recursive: true, force: true })
})

function writer(): SqliteDatabase.Database {
  const db = new SqliteDatabase(path)
  db.pragma('journal_mode = WAL')
  // Only the checkpointer under test may copy the log back.
  db.pragma('wal_autocheckpoint = 0')
  db.exec('create table if not exists items (id integer primary key, note text)')
  cleanUp.push(() => {
    db.close()
  })
  return db
}

function checkpointer(restartFrames: number): BackgroundCheckpointer {
  const failures: string[] = []
  const created = new BackgroundCheckpointer(path, () => failures.push('worker gone'), {
    intervalMs: 1,
    restartFrames,
  })
  cleanUp.push(async () => {
    await created.close()
    expect(failures).toEqual([])
  })
  return created
}

const insertMany = (db: SqliteDatabase.Database, count: number) => {
  const insert = db.prepare('insert into items (note) values (?)')
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run('x'.repeat(500))
  })()
}

describe('the checkpointer asks for a quiet moment only when the log can restart', () => {
  it('a long log asks for one; a checkpoint with nothing written meanwhile satisfies it', async () => {
    const db = writer()
    const subject = checkpointer(8)
    insertMany(db, 200)
    expect(subject.wantsQuiet).toBe(false)
    await subject.quietCheckpoint()
    // Everything was copied with nothing written meanwhile: the next write restarts the log.
    expect(subject.wantsQuiet).toBe(false)
    insertMany(db, 1)
    const [status] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>
    expect(status?.log).toBeLessThan(8)
  })

  it('a reader that pins old frames does not make every write wait: no new request for a second', async () => {
    const db = writer()
    insertMany(db, 10)
    const reader = new SqliteDatabase(path, { readonly: true })
    cleanUp.push(() => {
      reader.close()
    })
    // An open read transaction on the current snapshot: frames written after it cannot be
    // checkpointed past its end mark.
    reader.exec('begin')
    reader.prepare('select count(*) from items').get()
    insertMany(db, 200)
    const subject = checkpointer(8)
    await subject.quietCheckpoint()
    expect(subject.wantsQuiet).toBe(false)
    reader.exec('commit')
    // Once the reader is gone, the next quiet checkpoint copies everything.
    await subject.quietCheckpoint()
    insertMany(db, 1)
    const [status] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>
    expect(status?.log).toBeLessThan(8)
  })
})
