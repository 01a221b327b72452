import { describe, expect, it } from 'vitest'
import { bucketKey } from './bucket-key.js'

describe('limiter keys are bounded: a long key is stored as its SHA-256 digest', () => {
  it.each([
    ['an address', 'ip:192.0.2.1'],
    ['an IPv6 prefix', 'ip:2001:db8:1:2::/64'],
    ['a key of exactly 128 characters', `user:${'a'.repeat(123)}`],
  ])('%s is kept as it is', (_name, key) => {
    expect(bucketKey(key)).toBe(key)
  })

  it.each([
    ['129 characters', `user:${'a'.repeat(124)}`],
    ['a 64 KiB username', `user:${'é'.repeat(65_536)}`],
  ])('%s becomes sha256: and 43 characters, the same every time', (_name, key) => {
    const stored = bucketKey(key)
    expect(stored).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/)
    expect(bucketKey(key)).toBe(stored)
  })

  it('two long keys that differ in one character keep two buckets', () => {
    const long = 'x'.repeat(200)
    expect(bucketKey(`user:${long}a`)).not.toBe(bucketKey(`user:${long}b`))
  })
})
