import { describe, expect, it } from 'vitest'
import { parseDatabaseUrl } from './database-url.js'

describe('parseDatabaseUrl', () => {
  it('reads sqlite:<path>', () => {
    expect(parseDatabaseUrl('sqlite:./registrar.db')).toEqual({
      kind: 'sqlite',
      path: './registrar.db',
    })
  })

  it.each(['postgres://u@db.example:5432/registrar', 'postgresql://u@db.example/registrar'])(
    'reads %s as PostgreSQL with the driver defaults',
    (url) => {
      expect(parseDatabaseUrl(url)).toEqual({
        kind: 'postgres',
        options: { connectionString: url },
      })
    },
  )

  it('takes pool, statement_timeout (ms), connect_timeout (s, as libpq) and schema out of the URL', () => {
    expect(
      parseDatabaseUrl(
        'postgres://u:p%40ss@db.example/registrar?pool=4&statement_timeout=2500&connect_timeout=3&schema=auth&sslmode=require',
      ),
    ).toEqual({
      kind: 'postgres',
      options: {
        connectionString: 'postgres://u:p%40ss@db.example/registrar?sslmode=require',
        poolSize: 4,
        statementTimeoutMs: 2500,
        connectTimeoutMs: 3000,
        schema: 'auth',
      },
    })
  })

  it('statement_timeout=0 turns the limit off', () => {
    expect(parseDatabaseUrl('postgres://db.example/r?statement_timeout=0')).toMatchObject({
      options: { statementTimeoutMs: 0 },
    })
  })

  it.each([
    ['pool=0', 'pool must be one integer of at least 1'],
    ['pool=ten', 'pool must be one integer of at least 1'],
    ['pool=2&pool=3', 'pool must be one integer'],
    ['statement_timeout=-1', 'statement_timeout must be one integer of at least 0'],
    ['connect_timeout=0', 'connect_timeout must be one integer of at least 1'],
    ['pol=10', "unknown PostgreSQL URL parameter 'pol'"],
  ])('refuses ?%s, naming the parameter', (query, message) => {
    expect(() => parseDatabaseUrl(`postgres://db.example/r?${query}`)).toThrow(message)
  })

  it('never echoes a malformed URL, which may hold a password', () => {
    expect(() => parseDatabaseUrl('postgres://user:sec ret@[bad/r')).toThrow(
      /^database: the PostgreSQL URL is malformed/,
    )
    try {
      parseDatabaseUrl('postgres://user:sec ret@[bad/r')
    } catch (error) {
      expect((error as Error).message).not.toContain('sec ret')
    }
  })

  it('refuses anything else, naming both forms', () => {
    expect(() => parseDatabaseUrl('mysql://db.example/r')).toThrow(
      'use sqlite:<path> or postgres://',
    )
  })
})
