import { beforeEach, describe, expect, it, vi } from 'vitest'

// Every pool refill is recorded, so a test can tell which pool bytes each token came from.
const fills = vi.hoisted(() => [] as Buffer[])
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return {
    ...actual,
    randomFillSync<T extends NodeJS.ArrayBufferView>(buffer: T): T {
      actual.randomFillSync(buffer)
      // A copy: the pool is overwritten in place by the next refill.
      fills.push(Buffer.from(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)))
      return buffer
    },
  }
})

const POOL_BYTES = 4096

/** A fresh module each test, so the pool starts empty. */
async function load(): Promise<typeof import('./random-token.js')> {
  vi.resetModules()
  fills.length = 0
  return import('./random-token.js')
}

const decode = (token: string): Buffer => Buffer.from(token, 'base64url')

describe('randomToken draws from a pooled CSPRNG buffer', () => {
  beforeEach(() => {
    fills.length = 0
  })

  it.each([0, 1, 9, 16, 31, 32, 33, 64, 100, 1000, POOL_BYTES])(
    'randomToken(%i) is base64url without padding and decodes to that many bytes',
    async (bytes) => {
      const { randomToken } = await load()
      for (let i = 0; i < 5; i++) {
        const token = randomToken(bytes)
        expect(token).toMatch(/^[A-Za-z0-9_-]*$/)
        expect(decode(token)).toHaveLength(bytes)
      }
    },
  )

  it('10,000 default tokens are all distinct and carry 32 bytes each', async () => {
    const { randomToken } = await load()
    const seen = new Set(Array.from({ length: 10_000 }, () => randomToken()))
    expect(seen.size).toBe(10_000)
    for (const token of seen) expect(decode(token)).toHaveLength(32)
  })

  it.each([1, 32, 33, 100, 1000, 4095, POOL_BYTES])(
    'randomToken(%i) hands out consecutive, never reused slices across pool refills',
    async (bytes) => {
      const { randomToken } = await load()
      const perPool = Math.floor(POOL_BYTES / bytes)
      const count = perPool * 3 + 1
      let fill = -1
      let cursor = 0
      for (let i = 0; i < count; i++) {
        const token = decode(randomToken(bytes))
        if (fills.length - 1 !== fill) {
          // A refill happens only when the next slice would not fit, and starts at the pool's start.
          expect(fills.length - 1).toBe(fill + 1)
          if (fill >= 0) expect(cursor + bytes).toBeGreaterThan(POOL_BYTES)
          fill = fills.length - 1
          cursor = 0
        }
        const current = fills[fill] as Buffer
        expect(token.equals(current.subarray(cursor, cursor + bytes))).toBe(true)
        cursor += bytes
      }
      expect(fills).toHaveLength(Math.ceil(count / perPool))
    },
  )

  it('randomHex takes the next slice of the same pool, so no byte serves a token and an id', async () => {
    const { randomToken, randomHex } = await load()
    const token = decode(randomToken(32))
    const hex = randomHex(10)
    expect(hex).toMatch(/^[0-9a-f]{20}$/)
    const pool = fills[0] as Buffer
    expect(token.equals(pool.subarray(0, 32))).toBe(true)
    expect(Buffer.from(hex, 'hex').equals(pool.subarray(32, 42))).toBe(true)
  })

  it('a request larger than the pool bypasses it and leaves it untouched', async () => {
    const { randomToken } = await load()
    const first = decode(randomToken(32))
    expect(fills).toHaveLength(1)
    const big = randomToken(POOL_BYTES + 1)
    expect(decode(big)).toHaveLength(POOL_BYTES + 1)
    expect(fills).toHaveLength(1)
    // The pool carries on where it stopped.
    const next = decode(randomToken(32))
    expect(next.equals((fills[0] as Buffer).subarray(32, 64))).toBe(true)
    expect(next.equals(first)).toBe(false)
  })

  it.each([-1, Number.NaN])(
    'randomToken(%s) is a RangeError, as randomBytes makes it',
    async (bytes) => {
      const { randomToken } = await load()
      expect(() => randomToken(bytes)).toThrow(RangeError)
    },
  )
})
