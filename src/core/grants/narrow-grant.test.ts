import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { narrowResources } from './narrow-resources.js'
import { narrowScope } from './narrow-scope.js'

function codeOf(run: () => unknown): string | null {
  try {
    run()
    return null
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not an OAuthError'
  }
}

describe('RFC 6749 §6: a refreshed scope must not include any scope not originally granted', () => {
  it.each([
    ['omitted: the original scope', null, 'read write', ['read', 'write']],
    ['narrower', 'read', 'read write', ['read']],
    ['equal, in another order', 'write read', 'read write', ['write', 'read']],
  ])('%s', (_name, requested, granted, expected) => {
    expect(narrowScope(requested, granted)).toEqual(expected)
  })

  it.each([
    ['wider', 'read write admin', 'read write'],
    ['another scope', 'admin', 'read'],
    ['malformed', 'read "x"', 'read'],
  ])('%s → invalid_scope', (_name, requested, granted) => {
    expect(codeOf(() => narrowScope(requested, granted))).toBe('invalid_scope')
  })
})

describe('RFC 8707 §2.2: the token request resource must be among the granted resources', () => {
  const granted = ['https://a.example', 'https://b.example/api']

  it.each([
    ['omitted: the whole grant', [], granted],
    ['one of them', ['https://b.example/api'], ['https://b.example/api']],
    [
      'canonicalised (upper-case host, trailing slash)',
      ['https://A.EXAMPLE/'],
      ['https://a.example'],
    ],
  ])('%s', (_name, requested, expected) => {
    expect(narrowResources(requested, granted)).toEqual(expected)
  })

  it.each([
    ['another resource', ['https://c.example'], granted],
    ['a sub-path of a granted one', ['https://a.example/x'], granted],
    ['any resource when the grant named none', ['https://a.example'], []],
    ['a fragment', ['https://a.example#x'], granted],
    ['a relative reference', ['a.example'], granted],
  ])('%s → invalid_target', (_name, requested, grantedHere) => {
    expect(codeOf(() => narrowResources(requested, grantedHere))).toBe('invalid_target')
  })
})
