import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  ClientRecord,
  ClientUpdateEffects,
  Store,
  TokenRecord,
} from '../../src/core/store/store.js'
import { consent, publicClient, token } from './contract.js'

const NOW = 1_750_000_000
const CLIENT = 'client-1'
const OTHER = 'client-2'

const DELETE_CONSENTS: ClientUpdateEffects = { deleteConsents: true, revokeRefreshTokensAt: null }
const REVOKE_REFRESH: ClientUpdateEffects = {
  deleteConsents: false,
  revokeRefreshTokensAt: NOW + 60,
}

/**
 * What an RFC 7592 update takes with it (store.ts: ClientUpdateEffects, docs/decisions.md A41),
 * on every backend: consents deleted and refresh tokens revoked in the transaction of the
 * update's compare-and-set and only if it wins, and a consent saved for the version the user saw
 * never outliving an update that deletes consents. Each test gets a fresh, empty store.
 */
export function describeClientUpdatesContract(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract, client updates: ${name}`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await makeStore())
      await store.createClient(publicClient(CLIENT))
      await store.createClient(publicClient(OTHER))
    })
    afterEach(async () => {
      await cleanup()
    })

    /** The client at version 2, renamed: what a PUT writes over version 1. */
    async function nextVersion(): Promise<ClientRecord> {
      const current = await store.getClient(CLIENT)
      if (current === null) throw new Error(`${CLIENT} is gone`)
      return {
        ...current,
        metadata: { ...current.metadata, client_name: 'Renamed' },
        version: current.version + 1,
      }
    }

    it('deleteConsents deletes every user’s consent for the client, and only for it', async () => {
      await store.saveConsent(consent('user-1', CLIENT))
      await store.saveConsent(consent('user-2', CLIENT))
      await store.saveConsent(consent('user-1', OTHER))
      expect(await store.updateClient(await nextVersion(), 1, DELETE_CONSENTS)).toBe(true)
      expect(await store.getClient(CLIENT)).toMatchObject({ version: 2 })
      expect(await store.findConsent('user-1', CLIENT)).toBeNull()
      expect(await store.findConsent('user-2', CLIENT)).toBeNull()
      expect(await store.findConsent('user-1', OTHER)).toEqual(consent('user-1', OTHER))
    })

    it.each<[string, ClientUpdateEffects | undefined]>([
      ['no effects', undefined],
      ['effects that ask for nothing', { deleteConsents: false, revokeRefreshTokensAt: null }],
      ['only revoking refresh tokens', REVOKE_REFRESH],
    ])('an update with %s keeps the consents', async (_name, effects) => {
      await store.saveConsent(consent('user-1', CLIENT))
      expect(await store.updateClient(await nextVersion(), 1, effects)).toBe(true)
      expect(await store.findConsent('user-1', CLIENT)).toEqual(consent('user-1', CLIENT))
    })

    it('an update that loses its compare-and-set deletes and revokes nothing', async () => {
      const stale = await nextVersion()
      expect(await store.updateClient(await nextVersion(), 1)).toBe(true)
      await store.saveConsent(consent('user-1', CLIENT))
      await store.createTokens([refresh('r-1')])
      const both: ClientUpdateEffects = { deleteConsents: true, revokeRefreshTokensAt: NOW + 60 }
      expect(await store.updateClient(stale, 1, both)).toBe(false)
      expect(await store.findConsent('user-1', CLIENT)).toEqual(consent('user-1', CLIENT))
      expect(await store.findToken('r-1')).toEqual(refresh('r-1'))
    })

    it('an update refused for its version number throws before deleting anything', async () => {
      await store.saveConsent(consent('user-1', CLIENT))
      const skipping = { ...(await nextVersion()), version: 5 }
      await expect(store.updateClient(skipping, 1, DELETE_CONSENTS)).rejects.toThrow(RangeError)
      expect(await store.findConsent('user-1', CLIENT)).not.toBeNull()
      expect(await store.getClient(CLIENT)).toMatchObject({ version: 1 })
    })

    it('revokeRefreshTokensAt revokes the client’s live refresh tokens at that time, nothing else', async () => {
      await store.createTokens([
        refresh('r-live'),
        refresh('r-revoked', { revokedAt: NOW - 5 }),
        refresh('r-rotated', { rotatedAt: NOW - 5 }),
        token('a-live'),
        refresh('r-other', { clientId: OTHER }),
      ])
      expect(await store.updateClient(await nextVersion(), 1, REVOKE_REFRESH)).toBe(true)
      expect(await store.findToken('r-live')).toMatchObject({ revokedAt: NOW + 60 })
      expect(await store.findToken('r-rotated')).toMatchObject({ revokedAt: NOW + 60 })
      // The first revocation time is the one kept, as in revokeToken.
      expect(await store.findToken('r-revoked')).toMatchObject({ revokedAt: NOW - 5 })
      expect(await store.findToken('a-live')).toMatchObject({ revokedAt: null })
      expect(await store.findToken('r-other')).toMatchObject({ revokedAt: null })
    })

    it('refresh tokens exchanged during the update end revoked, or their exchange is refused', async () => {
      const olds = Array.from({ length: 8 }, (_, i) => `r-old-${i}`)
      await store.createTokens(olds.map((tokenHash) => refresh(tokenHash)))
      const next = await nextVersion()
      const [updated, ...rotations] = await Promise.all([
        store.updateClient(next, 1, REVOKE_REFRESH),
        ...olds.map((tokenHash) =>
          store.rotateRefreshToken(tokenHash, NOW + 30, [
            refresh(`${tokenHash}-new`, { issuedAt: NOW + 30 }),
          ]),
        ),
      ])
      expect(updated).toBe(true)
      for (const [i, rotation] of rotations.entries()) {
        const replacement = await store.findToken(`r-old-${i}-new`)
        if (rotation.status === 'rotated') expect(replacement?.revokedAt).toBe(NOW + 60)
        else expect([rotation.status, replacement]).toEqual(['reused', null])
      }
    })

    it('saveConsent with the client’s version saves and changes nothing of the client', async () => {
      const before = await store.getClient(CLIENT)
      expect(await store.saveConsent(consent('user-1', CLIENT), { clientVersion: 1 })).toBe(true)
      expect(await store.findConsent('user-1', CLIENT)).toEqual(consent('user-1', CLIENT))
      expect(await store.getClient(CLIENT)).toEqual(before)
    })

    it('saveConsent with a version the client has moved past saves nothing and keeps the old consent', async () => {
      await store.saveConsent(consent('user-1', CLIENT))
      expect(await store.updateClient(await nextVersion(), 1)).toBe(true)
      const wider = consent('user-1', CLIENT, { scopes: ['admin'], grantedAt: NOW })
      expect(await store.saveConsent(wider, { clientVersion: 1 })).toBe(false)
      expect(await store.findConsent('user-1', CLIENT)).toEqual(consent('user-1', CLIENT))
    })

    it('saveConsent with a version, for a client that is gone, saves nothing', async () => {
      expect(await store.deleteClient(CLIENT)).toBe(true)
      expect(await store.saveConsent(consent('user-1', CLIENT), { clientVersion: 1 })).toBe(false)
      expect(await store.findConsent('user-1', CLIENT)).toBeNull()
    })

    it('saveConsent without a version saves whatever the client’s version, and says so', async () => {
      expect(await store.updateClient(await nextVersion(), 1)).toBe(true)
      expect(await store.saveConsent(consent('user-1', CLIENT))).toBe(true)
      expect(await store.findConsent('user-1', CLIENT)).not.toBeNull()
    })

    it('no consent saved for the version the user saw outlives an update that deletes consents', async () => {
      const users = Array.from({ length: 12 }, (_, i) => `user-${i}`)
      const next = await nextVersion()
      const [updated] = await Promise.all([
        store.updateClient(next, 1, DELETE_CONSENTS),
        ...users.map((userId) => store.saveConsent(consent(userId, CLIENT), { clientVersion: 1 })),
      ])
      expect(updated).toBe(true)
      for (const userId of users) expect(await store.findConsent(userId, CLIENT)).toBeNull()
    })

    it('consents go when the update commits, not before: no reader sees the new client with an old consent', async () => {
      await store.saveConsent(consent('user-1', CLIENT))
      let done = false
      const mixtures: string[] = []
      const reader = (async () => {
        // The client first, then the consent: once the new version is visible, the consent must
        // already be gone. Seeing the old client with the consent is fine (before the commit).
        for (let reads = 0; !done || reads === 0; reads++) {
          const client = await store.getClient(CLIENT)
          const remembered = await store.findConsent('user-1', CLIENT)
          if (client?.version === 2 && remembered !== null) mixtures.push(`read ${reads}`)
          // A turn of the event loop: SQLite answers without one, and the update needs it.
          await new Promise((resolve) => setImmediate(resolve))
        }
      })()
      const updated = await store.updateClient(await nextVersion(), 1, DELETE_CONSENTS)
      done = true
      await reader
      expect(updated).toBe(true)
      expect(mixtures).toEqual([])
      expect(await store.findConsent('user-1', CLIENT)).toBeNull()
    })
  })
}

function refresh(tokenHash: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return token(tokenHash, { kind: 'refresh', expiresAt: null, ...overrides })
}
