import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../../src/core/store/store.js'

const NOW = 1_750_000_000
const DAY = 86_400

/**
 * Store.recordSignIn and hasSignedInFrom (store.ts), on every backend: the addresses a user has
 * signed in from, which let the owner past a username lock someone else caused
 * (core/users/login-throttle.ts). Each test gets a fresh, empty store.
 */
export function describeSignInAddressesContract(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract, sign-in addresses: ${name}`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await makeStore())
    })
    afterEach(async () => {
      await cleanup()
    })

    it('hasSignedInFrom is true from the recorded time back, false for a later since', async () => {
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW - 30 * DAY)).toBe(false)
      await store.recordSignIn('user-1', '192.0.2.1', NOW)
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW - 30 * DAY)).toBe(true)
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW)).toBe(true)
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW + 1)).toBe(false)
    })

    it('one user and one address key per answer', async () => {
      await store.recordSignIn('user-1', '2001:db8:1:2::/64', NOW)
      expect(await store.hasSignedInFrom('user-1', '2001:db8:1:2::/64', NOW)).toBe(true)
      expect(await store.hasSignedInFrom('user-2', '2001:db8:1:2::/64', NOW)).toBe(false)
      expect(await store.hasSignedInFrom('user-1', '2001:db8:1:3::/64', NOW)).toBe(false)
    })

    it('a later sign-in moves the time forward; an earlier one never moves it back', async () => {
      await store.recordSignIn('user-1', '192.0.2.1', NOW)
      await store.recordSignIn('user-1', '192.0.2.1', NOW + DAY)
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW + DAY)).toBe(true)
      // Another instance, its clock behind, reports an older sign-in afterwards.
      await store.recordSignIn('user-1', '192.0.2.1', NOW - DAY)
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW + DAY)).toBe(true)
    })

    it('concurrent sign-ins from one address all succeed and leave the latest time', async () => {
      const times = Array.from({ length: 20 }, (_, i) => NOW + ((i * 7) % 20))
      await Promise.all(times.map((at) => store.recordSignIn('user-1', '192.0.2.1', at)))
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW + 19)).toBe(true)
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', NOW + 20)).toBe(false)
    })

    it('deleteUser forgets where the user signed in from, and nobody else’s addresses', async () => {
      for (const [id, username] of [
        ['user-doomed', 'doomed'],
        ['user-kept', 'kept'],
      ] as const) {
        await store.createUser({ id, username, passwordHash: 'scrypt$x', createdAt: NOW })
        await store.recordSignIn(id, '192.0.2.1', NOW)
      }
      expect(await store.deleteUser('user-doomed')).toBe(true)
      expect(await store.hasSignedInFrom('user-doomed', '192.0.2.1', NOW)).toBe(false)
      expect(await store.hasSignedInFrom('user-kept', '192.0.2.1', NOW)).toBe(true)
    })

    it('refuses times that are not integers with a RangeError, writing nothing', async () => {
      await expect(store.recordSignIn('user-1', '192.0.2.1', NOW + 0.5)).rejects.toThrow(RangeError)
      await expect(store.hasSignedInFrom('user-1', '192.0.2.1', Number.NaN)).rejects.toThrow(
        RangeError,
      )
      expect(await store.hasSignedInFrom('user-1', '192.0.2.1', 0)).toBe(false)
    })
  })
}
