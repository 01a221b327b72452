import { describe, expect, it } from 'vitest'
import { preparedStatementName } from './prepared-statement-runner.js'

describe('prepared statement names', () => {
  it.each([
    'select * from "clients" where "client_id" = $1',
    'insert into "tokens" ("token_hash") values ($1)',
    '',
  ])('the same text gets the same name, a valid PostgreSQL identifier: %j', (text) => {
    const name = preparedStatementName(text)
    expect(name).toBe(preparedStatementName(text))
    expect(name).toMatch(/^registrar_[0-9a-f]{32}$/)
    // PostgreSQL truncates identifiers past 63 bytes (NAMEDATALEN - 1): two names must not meet.
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63)
  })

  it('texts that differ by one character get different names', () => {
    expect(preparedStatementName('select $1')).not.toBe(preparedStatementName('select $2'))
  })
})
