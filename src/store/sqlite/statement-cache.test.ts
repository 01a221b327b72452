import SqliteDatabase from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { StatementCache } from './statement-cache.js'

const databases: SqliteDatabase.Database[] = []
afterEach(() => {
  for (const db of databases.splice(0)) db.close()
})

function database(): SqliteDatabase.Database {
  const db = new SqliteDatabase(':memory:')
  db.exec('create table t (id integer primary key, v text)')
  databases.push(db)
  return db
}

describe('prepared statements are reused by SQL text', () => {
  it('the same SQL returns the same prepared statement', () => {
    const cache = new StatementCache(database())
    const first = cache.get('select * from t where id = ?')
    expect(cache.get('select * from t where id = ?').statement).toBe(first.statement)
    expect(cache.size).toBe(1)
  })

  it('past its capacity the least recently used statement is dropped', () => {
    const cache = new StatementCache(database(), 2)
    const a = cache.get('select 1')
    cache.get('select 2')
    cache.get('select 1') // a is now the most recently used
    cache.get('select 3') // drops select 2
    expect(cache.size).toBe(2)
    expect(cache.get('select 1').statement).toBe(a.statement)
  })

  it.each([
    ['select * from t', { returnsRows: true, readOnly: true, controlsTransaction: false }],
    [
      'insert into t (v) values (?)',
      { returnsRows: false, readOnly: false, controlsTransaction: false },
    ],
    [
      'insert into t (v) values (?) returning id',
      { returnsRows: true, readOnly: false, controlsTransaction: false },
    ],
    [
      'delete from t where id = ?',
      { returnsRows: false, readOnly: false, controlsTransaction: false },
    ],
    ['begin', { returnsRows: false, readOnly: true, controlsTransaction: true }],
    ['  COMMIT', { returnsRows: false, readOnly: true, controlsTransaction: true }],
    ['savepoint s', { returnsRows: false, readOnly: true, controlsTransaction: true }],
  ])('%s is classified for the driver', (source, expected) => {
    const { returnsRows, readOnly, controlsTransaction } = new StatementCache(database()).get(
      source,
    )
    expect({ returnsRows, readOnly, controlsTransaction }).toEqual(expected)
  })
})
