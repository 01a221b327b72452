import { describe, expect, it } from 'vitest'
import { authorizationErrorUri, authorizationResponseUri } from './authorization-response.js'

const ISS = 'https://as.example/tenant'

describe('authorization responses (RFC 6749 §4.1.2, §4.2.2; RFC 9207 §2)', () => {
  it('appends code, state and iss to the query', () => {
    const uri = authorizationResponseUri('https://c.example/cb', 'query', {
      code: 'abc',
      state: 's',
      iss: ISS,
    })
    expect(uri).toBe('https://c.example/cb?code=abc&state=s&iss=https%3A%2F%2Fas.example%2Ftenant')
  })

  it('RFC 6749 §3.1.2: keeps the query component of the redirect URI', () => {
    expect(authorizationResponseUri('https://c.example/cb?a=1', 'query', { code: 'x' })).toBe(
      'https://c.example/cb?a=1&code=x',
    )
    expect(authorizationResponseUri('https://c.example/cb?', 'query', { code: 'x' })).toBe(
      'https://c.example/cb?code=x',
    )
  })

  it('uses the redirect URI as written, never re-serialised (no trailing slash added)', () => {
    expect(authorizationResponseUri('http://127.0.0.1:5000', 'query', { code: 'x' })).toBe(
      'http://127.0.0.1:5000?code=x',
    )
    expect(authorizationResponseUri('com.example.app:/cb', 'query', { code: 'x' })).toBe(
      'com.example.app:/cb?code=x',
    )
  })

  it('R6749-14: state survives byte for byte once decoded, whatever it holds', () => {
    const state = 'a b+c&d=e%20f/é?#"<>\u{1F600}'
    const uri = authorizationResponseUri('https://c.example/cb', 'query', { code: 'x', state })
    expect(new URL(uri).searchParams.get('state')).toBe(state)
  })

  it('omits parameters whose value is null (no state sent → no state returned)', () => {
    expect(
      authorizationResponseUri('https://c.example/cb', 'query', { code: 'x', state: null }),
    ).toBe('https://c.example/cb?code=x')
  })

  it('RFC 6749 §4.2.2: the implicit grant answers in the fragment', () => {
    const uri = authorizationResponseUri('https://c.example/cb', 'fragment', {
      access_token: 't',
      state: 's',
    })
    expect(uri).toBe('https://c.example/cb#access_token=t&state=s')
  })

  it('percent-encodes non-ASCII characters of a registered URI, so it fits a Location header', () => {
    expect(authorizationResponseUri('https://c.example/caf\u00e9', 'query', { code: 'x' })).toBe(
      'https://c.example/caf%C3%A9?code=x',
    )
  })

  it('R9207-01 / R6749-12: an error carries error, error_description, state and iss', () => {
    const uri = authorizationErrorUri(
      'https://c.example/cb',
      'query',
      { code: 'invalid_scope', description: 'scope "x" is not \\ allowed' },
      'st',
      ISS,
    )
    const params = new URL(uri).searchParams
    expect(params.get('error')).toBe('invalid_scope')
    expect(params.get('state')).toBe('st')
    expect(params.get('iss')).toBe(ISS)
    // RFC 6749 §4.1.2.1: error_description within %x20-21 / %x23-5B / %x5D-7E.
    expect(params.get('error_description')).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/)
  })
})
