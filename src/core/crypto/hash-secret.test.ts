import { createHash, timingSafeEqual } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashSecret, verifySecret } from './hash-secret.js'
import { randomToken } from './random-token.js'

// The implementation before one-shot crypto.hash: digests already in databases were made by it,
// so the new code must agree with it on every input, stored value and answer.
const referenceHash = (secret: string) =>
  createHash('sha256').update(secret, 'utf8').digest('base64url')
const referenceVerify = (presented: string, storedHash: string) => {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = Buffer.from(storedHash, 'base64url')
  return a.length === b.length && timingSafeEqual(a, b)
}

const token = randomToken()
const SECRETS: readonly [string, string][] = [
  ['an empty string', ''],
  ['a random token', token],
  ['ASCII with spaces', 'correct horse battery staple'],
  ['non-ASCII (UTF-8, two bytes)', 'café'],
  ['an astral character (UTF-8, four bytes)', '🔑'],
  ['a lone surrogate (UTF-8 replacement character)', 'a\ud800b'],
]

describe('client secrets are stored only as hashes and compared in constant time', () => {
  it('the digest never contains the secret and verifies only the original', () => {
    const secret = randomToken()
    const digest = hashSecret(secret)
    expect(digest).not.toContain(secret)
    expect(verifySecret(secret, digest)).toBe(true)
    expect(verifySecret(`${secret}x`, digest)).toBe(false)
    expect(verifySecret('', digest)).toBe(false)
  })

  it('a corrupt stored digest reads as no match instead of throwing', () => {
    expect(verifySecret('anything', 'short')).toBe(false)
  })

  it('random tokens carry 256 bits and never repeat', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomToken()))
    expect(seen.size).toBe(1000)
    for (const token of seen) expect(Buffer.from(token, 'base64url')).toHaveLength(32)
  })

  it.each(SECRETS)('stored digests stay valid: %s hashes as before', (_, secret) => {
    expect(hashSecret(secret)).toBe(referenceHash(secret))
    expect(hashSecret(secret)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  const digest = referenceHash(token)
  it.each([
    ['the secret against its digest', token, digest, true],
    ['another secret', `${token}x`, digest, false],
    ['an empty secret', '', digest, false],
    ['the digest with base64 padding (decodes to the same bytes)', token, `${digest}=`, true],
    [
      'the digest in standard base64 (decodes to the same bytes)',
      token,
      Buffer.from(digest, 'base64url').toString('base64'),
      true,
    ],
    ['a truncated digest', token, digest.slice(0, 42), false],
    ['a digest one byte too long', token, `${digest}AA`, false],
    ['an empty stored digest', token, '', false],
    ['a stored value that is not base64', token, '!!!!', false],
    ['an empty secret against the digest of the empty string', '', referenceHash(''), true],
  ])('a presented secret is judged as before: %s', (_, presented, stored, matches) => {
    expect(verifySecret(presented, stored)).toBe(matches)
    expect(referenceVerify(presented, stored)).toBe(matches)
  })
})
