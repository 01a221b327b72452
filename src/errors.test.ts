import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { OAuthErrorCode } from './errors.js'
import {
  ERROR_CODES,
  invalidBearerToken,
  invalidClientMetadata,
  invalidRedirectUri,
  OAuthError,
  quote,
  toErrorDescription,
} from './errors.js'

// RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ).
const ERROR_DESCRIPTION_CHARS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/**
 * The error codes the OAuth and OpenID specifications define, as far as they can reach
 * registrar's wire, each with where: the IANA "OAuth Extensions Error" registry (RFC 6749 §11.4)
 * lists the ones added after RFC 6749.
 */
const SPECIFIED_CODES: Readonly<Record<string, string>> = {
  invalid_request: 'RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1',
  invalid_client: 'RFC 6749 §5.2',
  invalid_grant: 'RFC 6749 §5.2',
  unauthorized_client: 'RFC 6749 §4.1.2.1, §5.2',
  unsupported_grant_type: 'RFC 6749 §5.2',
  invalid_scope: 'RFC 6749 §4.1.2.1, §5.2',
  access_denied: 'RFC 6749 §4.1.2.1',
  unsupported_response_type: 'RFC 6749 §4.1.2.1',
  server_error: 'RFC 6749 §4.1.2.1',
  temporarily_unavailable: 'RFC 6749 §4.1.2.1',
  invalid_token: 'RFC 6750 §3.1',
  insufficient_scope: 'RFC 6750 §3.1',
  unsupported_token_type: 'RFC 7009 §2.2.1',
  invalid_redirect_uri: 'RFC 7591 §3.2.2',
  invalid_client_metadata: 'RFC 7591 §3.2.2',
  invalid_software_statement: 'RFC 7591 §3.2.2',
  unapproved_software_statement: 'RFC 7591 §3.2.2',
  invalid_target: 'RFC 8707 §2',
  login_required: 'OpenID Connect Core §3.1.2.6',
  consent_required: 'OpenID Connect Core §3.1.2.6',
}

describe("every error code on the wire is a specified one, or one of registrar's three own", () => {
  it.each(Object.entries(ERROR_CODES))('%s', (code, { definedIn }) => {
    if (definedIn === null) {
      // docs/decisions.md B1: no specified code fits a missing path, a wrong method or a
      // rate limit; none of these answers comes from an OAuth error vocabulary.
      expect(SPECIFIED_CODES[code]).toBeUndefined()
      expect(['not_found', 'method_not_allowed', 'rate_limited']).toContain(code)
    } else {
      expect(SPECIFIED_CODES[code]).toBeDefined()
    }
  })
})

describe('OAuthError carries the HTTP status of its code', () => {
  it.each<readonly [OAuthErrorCode, number, string]>([
    ['invalid_request', 400, 'RFC 6749 §5.2'],
    ['invalid_client', 401, 'RFC 6749 §5.2, A21'],
    ['invalid_grant', 400, 'RFC 6749 §5.2'],
    ['unauthorized_client', 400, 'RFC 6749 §5.2'],
    ['unsupported_grant_type', 400, 'RFC 6749 §5.2'],
    ['unsupported_response_type', 400, 'RFC 6749 §4.1.2.1'],
    ['invalid_scope', 400, 'RFC 6749 §5.2'],
    ['access_denied', 403, 'RFC 6749 §4.1.2.1'],
    ['invalid_redirect_uri', 400, 'RFC 7591 §3.2.2'],
    ['invalid_client_metadata', 400, 'RFC 7591 §3.2.2'],
    ['invalid_software_statement', 400, 'RFC 7591 §3.2.2'],
    ['unapproved_software_statement', 400, 'RFC 7591 §3.2.2'],
    ['invalid_token', 401, 'RFC 6750 §3.1'],
    ['insufficient_scope', 403, 'RFC 6750 §3.1'],
    ['invalid_target', 400, 'RFC 8707 §2'],
    ['not_found', 404, 'docs/decisions.md B1'],
    ['method_not_allowed', 405, 'R7591-02'],
    ['rate_limited', 429, 'R7591-03'],
    ['server_error', 500, 'RFC 6749 §4.1.2.1'],
    ['temporarily_unavailable', 503, 'RFC 6749 §4.1.2.1'],
  ])('%s → %i (%s)', (code, status) => {
    const error = new OAuthError(code, 'what to fix')
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('OAuthError')
    expect(error.code).toBe(code)
    expect(error.status).toBe(status)
    expect(error.description).toBe('what to fix')
    expect(error.message).toBe(`${code}: what to fix`)
    expect([error.challenge, error.retryAfterSeconds]).toEqual([null, null])
  })

  it('A11: the status can be overridden (415 invalid_request for a wrong Content-Type)', () => {
    const error = new OAuthError('invalid_request', 'send application/json', {
      status: 415,
    })
    expect(error.status).toBe(415)
    expect(error.code).toBe('invalid_request')
  })

  it('RFC 9110 §11.6.1, §10.2.3: the challenge and Retry-After are data, not header text', () => {
    const error = new OAuthError('rate_limited', 'slow down', { retryAfterSeconds: 7 })
    expect([error.challenge, error.retryAfterSeconds]).toEqual([null, 7])
    const basic = new OAuthError('invalid_client', 'who are you', { challenge: 'Basic realm="x"' })
    expect(basic.challenge).toBe('Basic realm="x"')
  })

  it('keeps the cause when one is given, and none otherwise', () => {
    const cause = new Error('low-level')
    expect(new OAuthError('server_error', 'try again', { cause }).cause).toBe(cause)
    expect(new OAuthError('server_error', 'try again').cause).toBeUndefined()
  })

  it('RFC 7591 §3.2.2: invalidClientMetadata and invalidRedirectUri build 400 errors', () => {
    const metadata = invalidClientMetadata('client_name must be a string')
    expect([metadata.code, metadata.status, metadata.description]).toEqual([
      'invalid_client_metadata',
      400,
      'client_name must be a string',
    ])
    const redirect = invalidRedirectUri('redirect_uris[0] must not contain a fragment')
    expect([redirect.code, redirect.status]).toEqual(['invalid_redirect_uri', 400])
  })
})

describe('RFC 6750 §3, R7591-04: invalidBearerToken challenges', () => {
  it.each([
    [false, 'no token presented', 'Bearer'],
    [true, 'a token presented but refused', 'Bearer error="invalid_token"'],
  ])('tokenPresented %s (%s) → WWW-Authenticate: %s', (presented, _why, challenge) => {
    const error = invalidBearerToken('an initial access token is required', presented)
    expect(error).toBeInstanceOf(OAuthError)
    expect(error.code).toBe('invalid_token')
    expect(error.status).toBe(401)
    expect(error.challenge).toBe(challenge)
  })

  it('RFC 6750 §3.1: a request without credentials gets no error attribute at all', () => {
    expect(invalidBearerToken('missing', false).challenge).not.toContain('error')
  })
})

describe('RFC 6749 §5.2: toErrorDescription keeps error_description in %x20-21 / %x23-5B / %x5D-7E', () => {
  it.each([
    ['plain text', 'redirect_uris[0] must use https', 'redirect_uris[0] must use https'],
    [
      'quoted values',
      "grant_types value 'foo' is not supported",
      "grant_types value 'foo' is not supported",
    ],
    ['a percent sign', '100% sure', '100% sure'],
    ['a double quote', 'say "hi"', 'say %22hi%22'],
    ['a backslash', 'C:\\path', 'C:%5Cpath'],
    ['Latin-1 é', 'café', 'caf%C3%A9'],
    ['the section sign', 'RFC 7591 §2', 'RFC 7591 %C2%A72'],
    ['CJK', '東京', '%E6%9D%B1%E4%BA%AC'],
    ['an astral emoji (one code point, four bytes)', 'a😀b', 'a%F0%9F%98%80b'],
    ['a lone high surrogate', 'a\ud800b', 'a%EF%BF%BDb'],
    ['a lone low surrogate', '\udc00', '%EF%BF%BD'],
    ['a line feed', 'a\nb', 'a%0Ab'],
    ['CR LF (header injection)', 'a\r\nSet-Cookie: x', 'a%0D%0ASet-Cookie: x'],
    ['a tab', 'a\tb', 'a%09b'],
    ['NUL', '\u0000', '%00'],
    ['DEL', '\u007f', '%7F'],
    ['a C1 control', '\u0085', '%C2%85'],
    ['the empty string', '', ''],
  ])('%s: %j → %j', (_what, input, expected) => {
    expect(toErrorDescription(input)).toBe(expected)
  })

  it('leaves every allowed character unchanged', () => {
    let allowed = ''
    for (let cp = 0x20; cp <= 0x7e; cp++)
      if (cp !== 0x22 && cp !== 0x5c) allowed += String.fromCharCode(cp)
    expect(toErrorDescription(allowed)).toBe(allowed)
  })

  it('maps any string, lone surrogates included, into the allowed alphabet', {
    timeout: 30_000,
  }, () => {
    const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit))
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: anyCodeUnit })),
        (text) => {
          expect(toErrorDescription(text)).toMatch(ERROR_DESCRIPTION_CHARS)
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('quote() shows a client value inside a description, cut at 120 characters', () => {
  it.each<readonly [string, unknown, string]>([
    ['a string as is', 'https://c.example/cb', "'https://c.example/cb'"],
    ['an empty string', '', "''"],
    ['a number as JSON', 123, "'123'"],
    ['an object as JSON', { a: 1 }, `'{"a":1}'`],
    ['an array as JSON', ['x', 2], `'["x",2]'`],
    ['null as JSON', null, "'null'"],
    ['undefined by name', undefined, "'undefined'"],
  ])('%s', (_what, value, expected) => {
    expect(quote(value)).toBe(expected)
  })

  it('keeps a value of exactly 120 characters whole', () => {
    const value = 'x'.repeat(120)
    expect(quote(value)).toBe(`'${value}'`)
  })

  it('cuts a value of 121 characters to 117 and an ellipsis (120 in all)', () => {
    const value = `${'a'.repeat(117)}bcde`
    expect(value).toHaveLength(121)
    expect(quote(value)).toBe(`'${'a'.repeat(117)}...'`)
    expect(quote(value)).toHaveLength(122)
  })

  it('cuts long JSON values too', () => {
    const quoted = quote({ keys: Array.from({ length: 100 }, (_, i) => i) })
    expect(quoted).toHaveLength(122)
    expect(quoted.endsWith("...'")).toBe(true)
  })

  it('a cut through a surrogate pair still encodes to the allowed alphabet', () => {
    const value = `${'a'.repeat(116)}😀😀😀`
    const quoted = quote(value)
    expect(quoted).toBe(`'${'a'.repeat(116)}\ud83d...'`)
    expect(toErrorDescription(quoted)).toBe(`'${'a'.repeat(116)}%EF%BF%BD...'`)
  })
})
