import { describe, expect, it } from 'vitest'
import { TokenBucketLimiter } from '../rate-limit/token-bucket-limiter.js'
import { LoginThrottle, loginThrottleKeys } from './login-throttle.js'

function throttle(max: number, windowSeconds: number): LoginThrottle {
  return new LoginThrottle(new TokenBucketLimiter({ max, windowSeconds }))
}

describe('LoginThrottle: failed logins per username and per address', () => {
  it('allows max failures, then locks until one failure has refilled', async () => {
    const limiter = throttle(3, 900)
    const keys = loginThrottleKeys('alice', '192.0.2.1')
    const t0 = 1_000_000
    for (let i = 0; i < 3; i++) {
      expect(await limiter.lockedFor(keys, t0)).toBeNull()
      expect(await limiter.recordFailure(keys, t0)).toBeNull()
    }
    // One refill every 900 / 3 = 300 s.
    expect(await limiter.lockedFor(keys, t0)).toBe(300)
    expect(await limiter.lockedFor(keys, t0 + 299_000)).toBe(1)
    expect(await limiter.lockedFor(keys, t0 + 300_000)).toBeNull()
  })

  it('checking a lock counts nothing', async () => {
    const limiter = throttle(1, 60)
    for (let i = 0; i < 10; i++) expect(await limiter.lockedFor(['user:alice'], 0)).toBeNull()
  })

  it('a failure past the limit says how long to wait', async () => {
    const limiter = throttle(1, 60)
    expect(await limiter.recordFailure(['user:alice'], 0)).toBeNull()
    expect(await limiter.recordFailure(['user:alice'], 0)).toBe(60)
  })

  it('counts the username and the address separately', async () => {
    const limiter = throttle(1, 60)
    const t0 = 5_000
    await limiter.recordFailure(loginThrottleKeys('alice', '192.0.2.1'), t0)
    // The address is locked, so bob is refused from it, while alice from elsewhere is locked
    // only by her own username.
    expect(await limiter.lockedFor(loginThrottleKeys('bob', '192.0.2.1'), t0)).toBe(60)
    expect(await limiter.lockedFor(loginThrottleKeys('carol', '198.51.100.7'), t0)).toBeNull()
    expect(await limiter.lockedFor(loginThrottleKeys('alice', '198.51.100.7'), t0)).toBe(60)
  })

  it('without an address, only the username counts', () => {
    expect(loginThrottleKeys('alice', null)).toEqual(['user:alice'])
  })
})
