import { describe, expect, it } from 'vitest'
import { hashSecret, verifySecret } from './hash-secret.js'
import { randomToken } from './random-token.js'

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
})
