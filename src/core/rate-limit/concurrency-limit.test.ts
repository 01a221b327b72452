import { describe, expect, it } from 'vitest'
import { ConcurrencyLimit } from './concurrency-limit.js'

describe('ConcurrencyLimit: at most max at once, the rest refused at once', () => {
  it('hands out max slots, refuses the next, and takes one again once one is given back', () => {
    const limit = new ConcurrencyLimit(2)
    const first = limit.tryAcquire()
    const second = limit.tryAcquire()
    expect(first).not.toBeNull()
    expect(second).not.toBeNull()
    expect(limit.tryAcquire()).toBeNull()
    expect(limit.active).toBe(2)
    first?.()
    expect(limit.active).toBe(1)
    expect(limit.tryAcquire()).not.toBeNull()
    expect(limit.tryAcquire()).toBeNull()
  })

  it('giving a slot back twice frees it once', () => {
    const limit = new ConcurrencyLimit(1)
    const release = limit.tryAcquire()
    release?.()
    release?.()
    expect(limit.active).toBe(0)
    expect(limit.tryAcquire()).not.toBeNull()
    expect(limit.tryAcquire()).toBeNull()
  })

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s with a TypeError', (max) => {
    expect(() => new ConcurrencyLimit(max)).toThrow(TypeError)
  })
})
