import { describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'
import { translateSqliteError } from './translate-sqlite-error.js'

function sqliteError(code: string): Error {
  return Object.assign(new Error(`database said ${code}`), { code })
}

describe('translateSqliteError (https://sqlite.org/rescode.html)', () => {
  it.each([
    ['SQLITE_BUSY', 1],
    ['SQLITE_BUSY_SNAPSHOT', 1],
    ['SQLITE_BUSY_RECOVERY', 1],
    ['SQLITE_LOCKED', 1],
    ['SQLITE_LOCKED_SHAREDCACHE', 1],
    ['SQLITE_FULL', 5],
  ])('%s is "not now": unavailable, retry after %d s, the original as cause', (code, retry) => {
    const original = sqliteError(code)
    const translated = translateSqliteError(original)
    expect(translated).toBeInstanceOf(StoreUnavailableError)
    expect((translated as StoreUnavailableError).retryAfterSeconds).toBe(retry)
    expect((translated as StoreUnavailableError).cause).toBe(original)
  })

  it.each([
    'SQLITE_CONSTRAINT_PRIMARYKEY',
    'SQLITE_CONSTRAINT_UNIQUE',
    'SQLITE_ERROR',
    'SQLITE_IOERR',
    'SQLITE_CORRUPT',
    'SQLITE_BUSYNESS',
  ])('%s is returned as it is', (code) => {
    const original = sqliteError(code)
    expect(translateSqliteError(original)).toBe(original)
  })

  it.each([
    ['a plain Error', new Error('x')],
    ['a string', 'SQLITE_BUSY'],
    ['null', null],
    ['a numeric code', Object.assign(new Error('x'), { code: 5 })],
  ])('%s is returned as it is', (_label, value) => {
    expect(translateSqliteError(value)).toBe(value)
  })
})
