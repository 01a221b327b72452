import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { verifyPkce } from './verify-pkce.js'

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

function codeOf(run: () => void): string | null {
  try {
    run()
    return null
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not an OAuthError'
  }
}

describe('RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the code_challenge', () => {
  it('§4.2: a challenge is 43 base64url characters without padding, and its verifier matches', () => {
    const verifier = 'dBjftJeZ4CVP-mJ92K3MyWkdGvi6uIhm5zZ3R0vDrdk'
    expect(s256(verifier)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(codeOf(() => verifyPkce(verifier, s256(verifier)))).toBeNull()
  })

  it.each([
    ['43 characters, the shortest allowed', 'a'.repeat(43)],
    ['128 characters, the longest allowed', 'Z'.repeat(128)],
    ['every unreserved punctuation mark', `-._~${'0'.repeat(40)}`],
  ])('§4.1: a verifier of %s is accepted', (_name, verifier) => {
    expect(codeOf(() => verifyPkce(verifier, s256(verifier)))).toBeNull()
  })

  it.each([
    ['missing (A20)', null, s256('a'.repeat(43))],
    ['42 characters (§4.1: at least 43)', 'a'.repeat(42), s256('a'.repeat(42))],
    ['129 characters (§4.1: at most 128)', 'a'.repeat(129), s256('a'.repeat(129))],
    ['holding a reserved character', `${'a'.repeat(42)}+`, s256(`${'a'.repeat(42)}+`)],
    ['holding a space', `${'a'.repeat(42)} `, s256(`${'a'.repeat(42)} `)],
    ['another verifier (§4.6)', 'b'.repeat(43), s256('a'.repeat(43))],
    [
      'the challenge itself sent back as verifier (plain)',
      s256('a'.repeat(43)),
      s256('a'.repeat(43)),
    ],
    ['a verifier whose challenge is corrupt', 'a'.repeat(43), 'short'],
  ])('a verifier %s → invalid_grant', (_name, verifier, challenge) => {
    expect(codeOf(() => verifyPkce(verifier, challenge))).toBe('invalid_grant')
  })
})
