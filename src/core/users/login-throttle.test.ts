import { describe, expect, it } from 'vitest'
import { LoginThrottle, loginThrottleKeys } from './login-throttle.js'

describe('LoginThrottle: failed logins per username and per address', () => {
  it('allows max failures, locks on the next, and refuses until a failure has refilled', async () => {
    const throttle = new LoginThrottle({ max: 3, windowSeconds: 900 })
    const keys = loginThrottleKeys('alice', '192.0.2.1')
    const t0 = 1_000_000
    for (let i = 0; i < 3; i++) {
      expect(throttle.lockedFor(keys, t0)).toBeNull()
      expect(await throttle.recordFailure(keys, t0)).toBeNull()
    }
    // One refill every 900 / 3 = 300 s.
    expect(await throttle.recordFailure(keys, t0)).toBe(300)
    expect(throttle.lockedFor(keys, t0)).toBe(300)
    expect(throttle.lockedFor(keys, t0 + 299_000)).toBe(1)
    expect(throttle.lockedFor(keys, t0 + 300_000)).toBeNull()
  })

  it('counts the username and the address separately', async () => {
    const throttle = new LoginThrottle({ max: 1, windowSeconds: 60 })
    const t0 = 5_000
    await throttle.recordFailure(loginThrottleKeys('alice', '192.0.2.1'), t0)
    expect(await throttle.recordFailure(loginThrottleKeys('bob', '192.0.2.1'), t0)).toBe(60)
    // The address is locked, so bob is refused from it, while alice from elsewhere is not.
    expect(throttle.lockedFor(loginThrottleKeys('bob', '192.0.2.1'), t0)).toBe(60)
    expect(throttle.lockedFor(loginThrottleKeys('carol', '192.0.2.1'), t0)).toBe(60)
    expect(throttle.lockedFor(loginThrottleKeys('alice', '198.51.100.7'), t0)).toBeNull()
  })

  it('keeps a bounded number of locks', async () => {
    const throttle = new LoginThrottle({ max: 1, windowSeconds: 60, maxKeys: 2 })
    for (const name of ['a', 'b', 'c']) {
      await throttle.recordFailure([name], 0)
      await throttle.recordFailure([name], 0)
    }
    // The oldest lock was dropped: a forgotten lock errs towards letting a login through.
    expect(throttle.lockedFor(['a'], 0)).toBeNull()
    expect(throttle.lockedFor(['c'], 0)).toBe(60)
  })

  it('without an address, only the username counts', () => {
    expect(loginThrottleKeys('alice', null)).toEqual(['user:alice'])
  })
})
