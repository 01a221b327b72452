import { describe, expect, it } from 'vitest'
import { parseBearerAuthorization } from './parse-bearer-authorization.js'

describe('RFC 6750 §2.1: Authorization: Bearer b64token', () => {
  it.each([
    ['Bearer abc-._~+/', 'abc-._~+/'],
    ['bearer abc==', 'abc=='],
    ['BEARER   abc', 'abc'],
  ])('%j carries the token %j', (header, token) => {
    expect(parseBearerAuthorization(header)).toBe(token)
  })

  it.each([[null], [''], ['Basic dXNlcjpwYXNz'], ['Token abc']])(
    '%j carries no Bearer credentials',
    (header) => {
      expect(parseBearerAuthorization(header)).toBeNull()
    },
  )

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer ä', 'Bearer a=b'])(
    '%j is malformed',
    (header) => {
      expect(parseBearerAuthorization(header)).toBe('malformed')
    },
  )
})
