import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { checkPkceChallenge } from './check-pkce-challenge.js'

const S256 = createHash('sha256').update('a'.repeat(43)).digest('base64url')

function codeOf(fn: () => unknown): string | null {
  try {
    fn()
    return null
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not an OAuthError'
  }
}

describe('RFC 7636 §4.2-§4.4 / A19: PKCE with S256 only', () => {
  it('R7636-01: BASE64URL(SHA256(verifier)) with S256 is accepted and returned', () => {
    expect(checkPkceChallenge(S256, 'S256')).toBe(S256)
  })

  it.each([
    ['43 unreserved characters', 'a'.repeat(43)],
    ['128 unreserved characters', 'Az0-._~'.repeat(18).slice(0, 128)],
  ])('R7636-07: %s are syntactically a challenge', (_name, challenge) => {
    expect(checkPkceChallenge(challenge, 'S256')).toBe(challenge)
  })

  it.each([
    ['R9700-04: a missing code_challenge', null, 'S256'],
    ['A19: code_challenge_method plain', S256, 'plain'],
    ['A19 / RFC 7636 §4.3: an omitted method (which means plain)', S256, null],
    ['R21-08: an unsupported method (S512)', S256, 'S512'],
    ['a method in the wrong case (s256)', S256, 's256'],
    ['R7636-07: 42 characters', 'a'.repeat(42), 'S256'],
    ['R7636-07: 129 characters', 'a'.repeat(129), 'S256'],
    ['R7636-07: a character outside unreserved (+)', `${'a'.repeat(42)}+`, 'S256'],
    ['R7636-07: base64 padding (=)', `${'a'.repeat(43)}=`, 'S256'],
    ['R7636-07: a space', `${'a'.repeat(21)} ${'a'.repeat(21)}`, 'S256'],
  ])('%s → invalid_request', (_name, challenge, method) => {
    expect(codeOf(() => checkPkceChallenge(challenge, method))).toBe('invalid_request')
  })
})
