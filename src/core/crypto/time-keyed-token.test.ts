import { describe, expect, it } from 'vitest'
import { hashSecret } from './hash-secret.js'
import { newTimeKeyedToken, timeKeyedDigest } from './time-keyed-token.js'

describe('time-keyed tokens (RFC 6749 §10.10: at most 2^-128 odds of guessing one)', () => {
  it.each([
    [0, '000000000000'],
    [Date.UTC(2026, 10, 24), Date.UTC(2026, 10, 24).toString(16).padStart(12, '0')],
    [2 ** 48 - 1, 'ffffffffffff'],
  ])('a token made at %d ms starts with %s, then 256 random bits', (now, time) => {
    const token = newTimeKeyedToken(now)
    expect(token).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/)
    expect(token.slice(0, 12)).toBe(time)
  })

  it('tokens made in the same millisecond differ', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => newTimeKeyedToken(42)))
    expect(tokens.size).toBe(10_000)
  })

  it('the digest of a token keeps its time digits in front of the SHA-256 of the whole token', () => {
    const token = newTimeKeyedToken(Date.UTC(2026, 10, 24))
    expect(timeKeyedDigest(token)).toBe(`${token.slice(0, 12)}${hashSecret(token)}`)
  })

  it('digests of tokens made later sort after earlier ones, byte by byte', () => {
    const digests = [1_000, 1_001, 2_000, 1_795_000_000_000].map((t) =>
      timeKeyedDigest(newTimeKeyedToken(t)),
    )
    expect([...digests].sort()).toEqual(digests)
  })

  it.each([
    ['a token issued before time keys (43 base64url characters)', 'A'.repeat(43)],
    ['a JWT access token', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['time digits with a short tail', `0123456789ab${'A'.repeat(42)}`],
    ['upper-case time digits', `0123456789AB${'A'.repeat(43)}`],
    ['a character outside base64url in the tail', `0123456789ab${'A'.repeat(42)}+`],
    ['the empty string', ''],
  ])('%s is keyed by its SHA-256 alone', (_label, presented) => {
    expect(timeKeyedDigest(presented)).toBe(hashSecret(presented))
  })

  it('the two kinds of key never meet: 55 characters against 43', () => {
    expect(timeKeyedDigest(newTimeKeyedToken())).toHaveLength(55)
    expect(timeKeyedDigest('A'.repeat(43))).toHaveLength(43)
  })

  it('a token with its time digits changed is a different key (the digest covers them)', () => {
    const token = newTimeKeyedToken(Date.UTC(2026, 10, 24))
    const shifted = `${(Date.UTC(2026, 10, 24) + 1).toString(16).padStart(12, '0')}${token.slice(12)}`
    expect(timeKeyedDigest(shifted).slice(12)).not.toBe(timeKeyedDigest(token).slice(12))
  })
})
