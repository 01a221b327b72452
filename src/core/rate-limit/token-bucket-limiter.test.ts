import { describe, expect, it } from 'vitest'
import { TokenBucketLimiter } from './token-bucket-limiter.js'

describe('RFC 7591 §3: open registration MAY be rate-limited per client address', () => {
  it('admits max requests at once, then refuses with a Retry-After until tokens refill', async () => {
    const limiter = new TokenBucketLimiter({ max: 3, windowSeconds: 60 })
    const t0 = 1_000_000
    for (let i = 0; i < 3; i++)
      expect(await limiter.consume('1.2.3.4', t0)).toEqual({ allowed: true })
    const refused = await limiter.consume('1.2.3.4', t0)
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 20 })
    // One token every 20 s.
    expect((await limiter.consume('1.2.3.4', t0 + 19_000)).allowed).toBe(false)
    expect((await limiter.consume('1.2.3.4', t0 + 40_000)).allowed).toBe(true)
  })

  it('refund gives back a token that consume took, never past the bucket size', async () => {
    const limiter = new TokenBucketLimiter({ max: 2, windowSeconds: 60 })
    expect(await limiter.consume('a', 0)).toEqual({ allowed: true })
    expect(await limiter.consume('a', 0)).toEqual({ allowed: true })
    expect(await limiter.consume('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 30 })
    await limiter.refund('a', 0)
    expect(await limiter.consume('a', 0)).toEqual({ allowed: true })
    expect((await limiter.consume('a', 0)).allowed).toBe(false)
    // A full bucket stays full: refunds cannot bank tokens for later.
    await limiter.refund('b', 0)
    await limiter.consume('c', 0)
    await limiter.refund('c', 0)
    await limiter.refund('c', 0)
    expect((await limiter.consume('c', 0)).allowed).toBe(true)
    expect((await limiter.consume('c', 0)).allowed).toBe(true)
    expect((await limiter.consume('c', 0)).allowed).toBe(false)
    // 'a' and 'c': giving back to 'b', which never lent anything, made no bucket.
    expect(limiter.size).toBe(2)
  })

  it('keeps one bucket per key', async () => {
    const limiter = new TokenBucketLimiter({ max: 1, windowSeconds: 3600 })
    expect((await limiter.consume('a', 0)).allowed).toBe(true)
    expect((await limiter.consume('b', 0)).allowed).toBe(true)
    expect((await limiter.consume('a', 0)).allowed).toBe(false)
  })

  it('holds memory flat: at most maxKeys buckets, evicting the least recently used', async () => {
    const limiter = new TokenBucketLimiter({ max: 1, windowSeconds: 3600, maxKeys: 100 })
    for (let i = 0; i < 10_000; i++) await limiter.consume(`10.0.${i >> 8}.${i & 255}`, 0)
    expect(limiter.size).toBe(100)
  })
})
