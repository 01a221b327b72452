import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ClientRecord, InitialAccessTokenRecord, Store } from '../../src/store/store.js'
import { isInitialAccessTokenUsable } from '../../src/store/store.js'

/**
 * The one suite every Store backend must pass (store.ts). Each test gets a fresh, empty store.
 * Client ids are lowercase ASCII so that their order is the same under any database collation.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await makeStore())
    })
    afterEach(async () => {
      await cleanup()
    })

    describe('clients', () => {
      it('getClient returns a full record exactly as createClient stored it', async () => {
        expect(await store.createClient(fullClient)).toEqual({ created: true })
        expect(await store.getClient(fullClient.clientId)).toEqual(fullClient)
      })

      it('a public client keeps its null secret hash, 0 (never) expiry and null provenance', async () => {
        const client = publicClient('public-1')
        await store.createClient(client)
        expect(await store.getClient('public-1')).toEqual(client)
      })

      it('getClient of an unknown client_id returns null', async () => {
        expect(await store.getClient('no-such-client')).toBeNull()
      })

      it('createClient with a client_id already in use throws and keeps the first client', async () => {
        const first = publicClient('taken')
        await store.createClient(first)
        await expect(
          store.createClient({ ...publicClient('taken'), updatedAt: NOW + 99 }),
        ).rejects.toThrow()
        expect(await store.getClient('taken')).toEqual(first)
      })

      it('deleteClient returns true when it deleted the client, then false', async () => {
        await store.createClient(publicClient('doomed'))
        await store.createClient(publicClient('survivor'))
        expect(await store.deleteClient('doomed')).toBe(true)
        expect(await store.getClient('doomed')).toBeNull()
        expect(await store.deleteClient('doomed')).toBe(false)
        expect(await store.getClient('survivor')).not.toBeNull()
      })

      it('deleteClient of an unknown client_id returns false', async () => {
        expect(await store.deleteClient('no-such-client')).toBe(false)
      })
    })

    describe('RFC 7592 management primitives', () => {
      it('findClientByRegistrationAccessTokenHash finds the client holding that token, and only it', async () => {
        await store.createClient(fullClient)
        await store.createClient(publicClient('other'))
        expect(
          await store.findClientByRegistrationAccessTokenHash(
            fullClient.registrationAccessTokenHash ?? '',
          ),
        ).toEqual(fullClient)
        expect(await store.findClientByRegistrationAccessTokenHash('unknown-hash')).toBeNull()
      })

      it('two clients may both have no registration access token', async () => {
        await store.createClient(publicClient('a'))
        await store.createClient(publicClient('b'))
        expect(await store.listClients()).toHaveLength(2)
      })

      it('two clients can never share a registration access token hash', async () => {
        await store.createClient(fullClient)
        await expect(
          store.createClient({
            ...publicClient('copy'),
            registrationAccessTokenHash: fullClient.registrationAccessTokenHash,
          }),
        ).rejects.toThrow()
      })

      it('updateClient replaces the whole record when the version matches, and only then', async () => {
        await store.createClient(fullClient)
        const next: ClientRecord = {
          ...fullClient,
          clientSecretHash: null,
          updatedAt: NOW + 120,
          metadata: { ...publicClient('x').metadata },
          registrationAccessTokenHash: 'rotated-hash',
          registrationAccessTokenExpiresAt: null,
          version: 2,
        }
        expect(await store.updateClient(next, 1)).toBe(true)
        expect(await store.getClient(fullClient.clientId)).toEqual(next)
        // A second writer that read version 1 loses and changes nothing.
        expect(await store.updateClient({ ...fullClient, version: 2 }, 1)).toBe(false)
        expect(await store.getClient(fullClient.clientId)).toEqual(next)
        expect(await store.findClientByRegistrationAccessTokenHash('rotated-hash')).toEqual(next)
        expect(
          await store.findClientByRegistrationAccessTokenHash(
            fullClient.registrationAccessTokenHash ?? '',
          ),
        ).toBeNull()
      })

      it('updateClient keeps client_id_issued_at and provenance as first stored', async () => {
        await store.createClient(fullClient)
        const next = { ...fullClient, clientIdIssuedAt: NOW + 999, version: 2 }
        expect(await store.updateClient(next, 1)).toBe(true)
        expect((await store.getClient(fullClient.clientId))?.clientIdIssuedAt).toBe(NOW)
      })

      it('updateClient of a deleted client returns false and creates nothing', async () => {
        expect(await store.updateClient({ ...fullClient, version: 2 }, 1)).toBe(false)
        expect(await store.getClient(fullClient.clientId)).toBeNull()
      })

      it('of 10 concurrent updates from the same version, exactly one wins', async () => {
        await store.createClient(fullClient)
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.updateClient(
              {
                ...fullClient,
                metadata: { ...fullClient.metadata, client_name: `writer ${i}` },
                version: 2,
              },
              1,
            ),
          ),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
        const winner = results.indexOf(true)
        expect((await store.getClient(fullClient.clientId))?.metadata.client_name).toBe(
          `writer ${winner}`,
        )
      })

      it('updateClient refuses a record whose version is not expectedVersion + 1', async () => {
        await store.createClient(fullClient)
        await expect(store.updateClient({ ...fullClient, version: 5 }, 1)).rejects.toThrow(
          RangeError,
        )
      })

      it('revokeRegistrationAccessToken forgets the token and leaves the rest of the client', async () => {
        await store.createClient(fullClient)
        await store.revokeRegistrationAccessToken(fullClient.clientId)
        expect(await store.getClient(fullClient.clientId)).toEqual({
          ...fullClient,
          registrationAccessTokenHash: null,
          registrationAccessTokenExpiresAt: null,
        })
      })

      it('deleteClient takes the registration access token with the client', async () => {
        await store.createClient(fullClient)
        await store.deleteClient(fullClient.clientId)
        expect(
          await store.findClientByRegistrationAccessTokenHash(
            fullClient.registrationAccessTokenHash ?? '',
          ),
        ).toBeNull()
      })
    })

    describe('listClients', () => {
      it('returns clients in client_id order, not insertion order', async () => {
        for (const id of ['client-c', 'client-a', 'client-d', 'client-b']) {
          await store.createClient(publicClient(id))
        }
        expect(await ids(store.listClients())).toEqual([
          'client-a',
          'client-b',
          'client-c',
          'client-d',
        ])
      })

      it('returns an empty list from an empty store', async () => {
        expect(await store.listClients()).toEqual([])
      })

      it('returns whole records, equal to what getClient returns', async () => {
        await store.createClient(fullClient)
        expect(await store.listClients()).toEqual([fullClient])
      })

      it('origin keeps only clients of that origin', async () => {
        await store.createClient(publicClient('dyn-1'))
        await store.createClient(publicClient('adm-1', { origin: 'admin' }))
        await store.createClient(publicClient('dyn-2'))
        expect(await ids(store.listClients({ origin: 'dynamic' }))).toEqual(['dyn-1', 'dyn-2'])
        expect(await ids(store.listClients({ origin: 'admin' }))).toEqual(['adm-1'])
      })

      it('issuedBefore keeps only clients issued strictly before that time', async () => {
        await store.createClient(publicClient('early', { issuedAt: NOW - 1 }))
        await store.createClient(publicClient('on-time', { issuedAt: NOW }))
        await store.createClient(publicClient('late', { issuedAt: NOW + 1 }))
        expect(await ids(store.listClients({ issuedBefore: NOW }))).toEqual(['early'])
      })

      it('after pages through every client exactly once, in client_id order', async () => {
        const all = ['p-05', 'p-02', 'p-07', 'p-01', 'p-04', 'p-06', 'p-03']
        for (const id of all) await store.createClient(publicClient(id))
        const pages: string[][] = []
        let after: string | undefined
        for (;;) {
          const page = await ids(
            store.listClients(after === undefined ? { limit: 3 } : { limit: 3, after }),
          )
          if (page.length === 0) break
          pages.push(page)
          after = page.at(-1)
        }
        expect(pages).toEqual([['p-01', 'p-02', 'p-03'], ['p-04', 'p-05', 'p-06'], ['p-07']])
      })

      it('after may name a client that no longer exists', async () => {
        for (const id of ['k-1', 'k-2', 'k-3']) await store.createClient(publicClient(id))
        await store.deleteClient('k-2')
        expect(await ids(store.listClients({ after: 'k-2' }))).toEqual(['k-3'])
      })

      it('origin, issuedBefore, after and limit apply together', async () => {
        await store.createClient(publicClient('m-1'))
        await store.createClient(publicClient('m-2', { origin: 'admin' }))
        await store.createClient(publicClient('m-3'))
        await store.createClient(publicClient('m-4', { issuedAt: NOW + 10 }))
        await store.createClient(publicClient('m-5'))
        await store.createClient(publicClient('m-6'))
        const query = { origin: 'dynamic', issuedBefore: NOW + 1, after: 'm-1', limit: 2 } as const
        expect(await ids(store.listClients(query))).toEqual(['m-3', 'm-5'])
      })

      it('limit defaults to 100', async () => {
        await createClients(store, 101)
        expect(await store.listClients()).toHaveLength(100)
      })

      it('limit is capped at 1000', async () => {
        await createClients(store, 1001)
        expect(await store.listClients({ limit: 5000 })).toHaveLength(1000)
      })

      it('a limit that is not a positive integer is refused', async () => {
        await expect(store.listClients({ limit: 0 })).rejects.toThrow(RangeError)
        await expect(store.listClients({ limit: 2.5 })).rejects.toThrow(RangeError)
      })
    })

    describe('initial access tokens', () => {
      it('findInitialAccessTokenByHash returns the token exactly as stored', async () => {
        const token = iat('iat-full', {
          expiresAt: 4_102_444_800,
          maxUses: 5,
          uses: 2,
          description: 'partner onboarding, Q3',
        })
        await store.createInitialAccessToken(token)
        expect(await store.findInitialAccessTokenByHash(token.tokenHash)).toEqual(token)
      })

      it('findInitialAccessTokenByHash of an unknown hash returns null', async () => {
        await store.createInitialAccessToken(iat('iat-1'))
        expect(await store.findInitialAccessTokenByHash('no-such-hash')).toBeNull()
      })

      it('a second token with the same hash is refused', async () => {
        await store.createInitialAccessToken(iat('iat-1'))
        await expect(
          store.createInitialAccessToken({ ...iat('iat-2'), tokenHash: hashOf('iat-1') }),
        ).rejects.toThrow()
      })

      it('listInitialAccessTokens returns every token', async () => {
        const tokens = [
          iat('iat-a'),
          iat('iat-b', { revokedAt: NOW }),
          iat('iat-c', { maxUses: 1 }),
        ]
        for (const token of tokens) await store.createInitialAccessToken(token)
        const listed = await store.listInitialAccessTokens()
        expect(listed).toHaveLength(3)
        expect(listed).toEqual(expect.arrayContaining(tokens))
      })

      it('revokeInitialAccessToken returns true and records the time, then false and keeps the first time', async () => {
        await store.createInitialAccessToken(iat('iat-r'))
        expect(await store.revokeInitialAccessToken('iat-r', NOW + 5)).toBe(true)
        expect(await store.revokeInitialAccessToken('iat-r', NOW + 9)).toBe(false)
        expect((await store.findInitialAccessTokenByHash(hashOf('iat-r')))?.revokedAt).toBe(NOW + 5)
      })

      it('revokeInitialAccessToken of an unknown id returns false', async () => {
        expect(await store.revokeInitialAccessToken('no-such-token', NOW)).toBe(false)
      })
    })

    describe('createClient consuming an initial access token', () => {
      it('stores the client and counts one use', async () => {
        await store.createInitialAccessToken(iat('iat-1', { maxUses: 3 }))
        const client = iatClient('with-token', 'iat-1')
        expect(await store.createClient(client, consume('iat-1'))).toEqual({ created: true })
        expect(await store.getClient('with-token')).toEqual(client)
        expect(await usesOf(store, 'iat-1')).toBe(1)
      })

      it('counts every use of a token without max_uses and never refuses it for use', async () => {
        await store.createInitialAccessToken(iat('iat-1', { maxUses: null, uses: 1_000_000 }))
        for (const id of ['u-1', 'u-2', 'u-3']) {
          expect(await store.createClient(iatClient(id, 'iat-1'), consume('iat-1'))).toEqual({
            created: true,
          })
        }
        expect(await usesOf(store, 'iat-1')).toBe(1_000_003)
      })

      it('of 10 concurrent registrations for the last use, exactly 1 is created and 9 are refused', async () => {
        await store.createInitialAccessToken(iat('iat-race', { maxUses: 1 }))
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.createClient(iatClient(`race-${i}`, 'iat-race'), consume('iat-race')),
          ),
        )
        expect(results.filter((result) => result.created)).toHaveLength(1)
        expect(results.filter((result) => !result.created)).toEqual(Array(9).fill(UNUSABLE))
        expect(await store.listClients()).toHaveLength(1)
        expect(await usesOf(store, 'iat-race')).toBe(1)
      })

      it('of 10 concurrent registrations for 3 remaining uses, exactly 3 are created', async () => {
        await store.createInitialAccessToken(iat('iat-race', { maxUses: 5, uses: 2 }))
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.createClient(iatClient(`race-${i}`, 'iat-race'), consume('iat-race')),
          ),
        )
        expect(results.filter((result) => result.created)).toHaveLength(3)
        expect(await store.listClients()).toHaveLength(3)
        expect(await usesOf(store, 'iat-race')).toBe(5)
      })

      it('refuses an expired token and writes nothing', async () => {
        await store.createInitialAccessToken(iat('iat-old', { expiresAt: NOW - 1, maxUses: 5 }))
        expect(await store.createClient(iatClient('late', 'iat-old'), consume('iat-old'))).toEqual(
          UNUSABLE,
        )
        await expectNothingWritten(store, 'iat-old', 0)
      })

      it('refuses a token whose expiry is exactly now (expires_at is exclusive)', async () => {
        await store.createInitialAccessToken(iat('iat-edge', { expiresAt: NOW }))
        expect(
          await store.createClient(iatClient('edge', 'iat-edge'), consume('iat-edge', NOW)),
        ).toEqual(UNUSABLE)
        await expectNothingWritten(store, 'iat-edge', 0)
      })

      it('refuses a revoked token and writes nothing', async () => {
        await store.createInitialAccessToken(iat('iat-rev', { maxUses: 5 }))
        await store.revokeInitialAccessToken('iat-rev', NOW - 1)
        expect(await store.createClient(iatClient('late', 'iat-rev'), consume('iat-rev'))).toEqual(
          UNUSABLE,
        )
        await expectNothingWritten(store, 'iat-rev', 0)
      })

      it('refuses a used-up token and writes nothing', async () => {
        await store.createInitialAccessToken(iat('iat-spent', { maxUses: 2, uses: 2 }))
        expect(
          await store.createClient(iatClient('late', 'iat-spent'), consume('iat-spent')),
        ).toEqual(UNUSABLE)
        await expectNothingWritten(store, 'iat-spent', 2)
      })

      it('refuses an unknown token id and writes nothing', async () => {
        expect(
          await store.createClient(iatClient('orphan', 'no-such-token'), consume('no-such-token')),
        ).toEqual(UNUSABLE)
        expect(await store.listClients()).toEqual([])
      })

      it('a duplicate client_id throws and does not spend the use', async () => {
        await store.createInitialAccessToken(iat('iat-1', { maxUses: 1 }))
        await store.createClient(publicClient('taken'))
        await expect(
          store.createClient(iatClient('taken', 'iat-1'), consume('iat-1')),
        ).rejects.toThrow()
        expect(await usesOf(store, 'iat-1')).toBe(0)
      })

      it('after the last use, the stored token reads as unusable', async () => {
        await store.createInitialAccessToken(iat('iat-1', { maxUses: 1 }))
        await store.createClient(iatClient('only', 'iat-1'), consume('iat-1'))
        const token = await store.findInitialAccessTokenByHash(hashOf('iat-1'))
        expect(token && isInitialAccessTokenUsable(token, NOW)).toBe(false)
      })

      it.each(usabilityCases)(
        'createClient and isInitialAccessTokenUsable agree that a token $label is usable: $usable',
        async ({ token, usable }) => {
          const record = iat('iat-case', token)
          await store.createInitialAccessToken(record)
          const stored = await store.findInitialAccessTokenByHash(record.tokenHash)
          expect(stored && isInitialAccessTokenUsable(stored, NOW)).toBe(usable)
          const result = await store.createClient(
            iatClient('case', 'iat-case'),
            consume('iat-case'),
          )
          expect(result.created).toBe(usable)
        },
      )
    })

    describe('close', () => {
      it('may be called twice', async () => {
        await store.close()
        await expect(store.close()).resolves.toBeUndefined()
      })

      it('leaves the store unusable', async () => {
        await store.close()
        await expect(store.getClient('any')).rejects.toThrow()
      })
    })
  })
}

/** 2025-06-15T15:06:40Z; times in the fixtures are offsets from it. */
const NOW = 1_750_000_000

const UNUSABLE = { created: false, reason: 'initial_access_token_unusable' } as const

const fullClient: ClientRecord = {
  clientId: 's6bhdrkqt3',
  clientSecretHash: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg',
  // 2100-01-01: beyond int4's 2038 limit, so the column must really be 64-bit.
  clientSecretExpiresAt: 4_102_444_800,
  clientIdIssuedAt: NOW,
  updatedAt: NOW + 60,
  metadata: {
    redirect_uris: ['https://client.example.org/callback', 'https://client.example.org/cb2'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    application_type: 'web',
    scope: 'read write',
    client_name: 'My Example Client',
    'client_name#ja-Jpan-JP': 'クライアント名',
    'tos_uri#fr': 'https://client.example.org/conditions',
    client_uri: 'https://client.example.org/',
    logo_uri: 'https://client.example.org/logo.png',
    tos_uri: 'https://client.example.org/tos',
    policy_uri: 'https://client.example.org/policy',
    contacts: ['ve7jtb@example.org', 'mary@example.org'],
    jwks: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          kid: 'sig-1',
          use: 'sig',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
      ],
    },
    software_id: '4nrb1-0xzabzi9e6-5sm3r',
    software_version: '2.1',
    software_statement: 'eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IjROUkIxIn0.c2lnbmF0dXJl',
  },
  provenance: {
    origin: 'dynamic',
    authorizedBy: 'initial_access_token',
    ip: '2001:db8::17',
    userAgent: 'curl/8.5.0',
    initialAccessTokenId: 'iat-onboarding',
    softwareStatementIssuer: 'https://issuer.example.com',
  },
  registrationAccessTokenHash: 'rat-hash-Yzg0ZTk1ZjQ1ZWM0NGRmZDk3ZmE4MTU',
  registrationAccessTokenExpiresAt: 4_102_444_800,
  version: 1,
}

function publicClient(
  clientId: string,
  options: { readonly issuedAt?: number; readonly origin?: 'dynamic' | 'admin' } = {},
): ClientRecord {
  const origin = options.origin ?? 'dynamic'
  return {
    clientId,
    clientSecretHash: null,
    clientSecretExpiresAt: 0,
    clientIdIssuedAt: options.issuedAt ?? NOW,
    updatedAt: options.issuedAt ?? NOW,
    metadata: {
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'native',
      scope: '',
    },
    provenance: {
      origin,
      authorizedBy: origin === 'admin' ? 'admin' : 'open',
      ip: null,
      userAgent: null,
      initialAccessTokenId: null,
      softwareStatementIssuer: null,
    },
    registrationAccessTokenHash: null,
    registrationAccessTokenExpiresAt: null,
    version: 1,
  }
}

function iatClient(clientId: string, tokenId: string): ClientRecord {
  const client = publicClient(clientId)
  return {
    ...client,
    provenance: {
      ...client.provenance,
      authorizedBy: 'initial_access_token',
      initialAccessTokenId: tokenId,
    },
  }
}

function hashOf(tokenId: string): string {
  return `hash-of-${tokenId}`
}

function iat(
  id: string,
  overrides: Partial<InitialAccessTokenRecord> = {},
): InitialAccessTokenRecord {
  return {
    id,
    tokenHash: hashOf(id),
    createdAt: NOW - 3600,
    expiresAt: null,
    maxUses: null,
    uses: 0,
    revokedAt: null,
    description: null,
    ...overrides,
  }
}

function consume(id: string, now = NOW) {
  return { consumeInitialAccessToken: { id, now } } as const
}

/** Token states around each edge of isInitialAccessTokenUsable, as seen at NOW. */
const usabilityCases: readonly {
  readonly label: string
  readonly token: Partial<InitialAccessTokenRecord>
  readonly usable: boolean
}[] = [
  { label: 'with no expiry and no use limit', token: {}, usable: true },
  { label: 'revoked a second ago', token: { revokedAt: NOW - 1 }, usable: false },
  { label: 'revoked in the future', token: { revokedAt: NOW + 60 }, usable: false },
  { label: 'that expired a second ago', token: { expiresAt: NOW - 1 }, usable: false },
  { label: 'that expires exactly now', token: { expiresAt: NOW }, usable: false },
  { label: 'that expires in a second', token: { expiresAt: NOW + 1 }, usable: true },
  { label: 'with one use left', token: { maxUses: 2, uses: 1 }, usable: true },
  { label: 'with no uses left', token: { maxUses: 2, uses: 2 }, usable: false },
  { label: 'with max_uses 0', token: { maxUses: 0 }, usable: false },
]

async function ids(clients: Promise<readonly ClientRecord[]>): Promise<string[]> {
  return (await clients).map((client) => client.clientId)
}

async function createClients(store: Store, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.createClient(publicClient(`bulk-${String(i).padStart(5, '0')}`))
  }
}

async function usesOf(store: Store, tokenId: string): Promise<number | undefined> {
  return (await store.findInitialAccessTokenByHash(hashOf(tokenId)))?.uses
}

async function expectNothingWritten(store: Store, tokenId: string, uses: number): Promise<void> {
  expect(await store.listClients()).toEqual([])
  expect(await usesOf(store, tokenId)).toBe(uses)
}
