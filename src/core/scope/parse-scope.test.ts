import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { parseScope } from './parse-scope.js'

describe('RFC 6749 §3.3: scope is a list of space-delimited scope tokens', () => {
  it.each([
    ['read write', ['read', 'write']],
    ['read  write ', ['read', 'write']],
    ['read read write', ['read', 'write']],
    ['', []],
    ['urn:example:scope https://api.example/x', ['urn:example:scope', 'https://api.example/x']],
  ])('%j parses to %j', (input, expected) => {
    expect(parseScope(input)).toEqual(expected)
  })

  it.each(['read "write"', 'read\\write', 'lecture\u00e9', 'read\twrite'])(
    '%j has a character outside the scope-token alphabet',
    (input) => {
      expect(() => parseScope(input)).toThrowError(OAuthError)
      try {
        parseScope(input)
      } catch (error) {
        expect((error as OAuthError).code).toBe('invalid_client_metadata')
      }
    },
  )
})
