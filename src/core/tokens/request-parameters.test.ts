import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { readRequestParameters } from './request-parameters.js'

describe('OAuth 2.1 §3.2: token endpoint parameters', () => {
  it('"MUST NOT be included more than once": a repeated parameter → invalid_request', () => {
    expect(() => readRequestParameters(new URLSearchParams('grant_type=a&grant_type=a'))).toThrow(
      OAuthError,
    )
  })

  it('RFC 8707 §2: resource may repeat', () => {
    const params = readRequestParameters(
      new URLSearchParams('resource=https://a&resource=https://b'),
    )
    expect(params.getAll('resource')).toEqual(['https://a', 'https://b'])
  })

  it('"parameters sent without a value MUST be treated as if they were omitted"', () => {
    const params = readRequestParameters(new URLSearchParams('scope=&scope=read&code='))
    expect(params.get('scope')).toBe('read')
    expect(params.get('code')).toBeNull()
    expect(params.get('absent')).toBeNull()
  })

  it('form decoding: + is a space and percent-escapes are UTF-8', () => {
    const params = readRequestParameters(new URLSearchParams('scope=read+write&x=%C3%A9'))
    expect(params.get('scope')).toBe('read write')
    expect(params.get('x')).toBe('é')
  })
})
