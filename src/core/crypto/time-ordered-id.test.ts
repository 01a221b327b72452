import { describe, expect, it } from 'vitest'
import { timeOrderedId } from './time-ordered-id.js'

describe('time-ordered ids sort in the order they were made', () => {
  it.each([
    [0, '000000000000'],
    [1, '000000000001'],
    [Date.UTC(2026, 10, 24), Date.UTC(2026, 10, 24).toString(16).padStart(12, '0')],
    [2 ** 48 - 1, 'ffffffffffff'],
  ])('at %d ms the id starts with %s', (now, prefix) => {
    const id = timeOrderedId(now)
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(id.slice(0, 12)).toBe(prefix)
  })

  it('ids made later sort after earlier ones, byte by byte', () => {
    const ids = [1_000, 1_001, 2_000, 1_795_000_000_000].map((t) => timeOrderedId(t))
    expect([...ids].sort()).toEqual(ids)
  })

  it('ids made in the same millisecond still differ (80 random bits)', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(42)))
    expect(ids.size).toBe(10_000)
  })
})
