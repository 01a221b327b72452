import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isInitialAccessTokenUsable } from '../../src/core/registration/initial-access-token.js'
import type {
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  InitialAccessTokenRecord,
  SessionRecord,
  Store,
  TokenRecord,
  UserRecord,
} from '../../src/core/store/store.js'

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

      it('revokeRegistrationAccessToken forgets the token, bumps the version and leaves the rest', async () => {
        await store.createClient(fullClient)
        await store.revokeRegistrationAccessToken(fullClient.clientId)
        expect(await store.getClient(fullClient.clientId)).toEqual({
          ...fullClient,
          registrationAccessTokenHash: null,
          registrationAccessTokenExpiresAt: null,
          version: fullClient.version + 1,
        })
        // An update prepared before the revocation loses instead of restoring a token.
        expect(await store.updateClient({ ...fullClient, version: 2 }, 1)).toBe(false)
      })

      it('deleteClient with an expectedVersion deletes only that version, and nothing else when stale', async () => {
        await store.createClient(fullClient)
        expect(await store.updateClient({ ...fullClient, version: 2 }, 1)).toBe(true)
        expect(await store.deleteClient(fullClient.clientId, 1)).toBe(false)
        expect(await store.getClient(fullClient.clientId)).not.toBeNull()
        expect(await store.deleteClient(fullClient.clientId, 2)).toBe(true)
        expect(await store.getClient(fullClient.clientId)).toBeNull()
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

    describe('trusted clients and resource servers', () => {
      it('trusted and resourceServer round-trip, false and null included', async () => {
        await store.createClient(fullClient)
        await store.createClient(publicClient('plain'))
        expect(await store.getClient(fullClient.clientId)).toMatchObject({
          trusted: true,
          resourceServer: 'https://api.example.com/mcp',
        })
        expect(await store.getClient('plain')).toMatchObject({
          trusted: false,
          resourceServer: null,
        })
      })

      it('setClientTrusted(true) marks the client trusted, false unmarks it, and each grows the version', async () => {
        const client = publicClient('to-trust')
        await store.createClient(client)
        expect(await store.setClientTrusted('to-trust', true)).toBe(true)
        expect(await store.getClient('to-trust')).toEqual({ ...client, trusted: true, version: 2 })
        expect(await store.setClientTrusted('to-trust', false)).toBe(true)
        expect(await store.getClient('to-trust')).toEqual({ ...client, trusted: false, version: 3 })
      })

      it('setClientTrusted of an unknown client returns false and creates nothing', async () => {
        expect(await store.setClientTrusted('no-such-client', true)).toBe(false)
        expect(await store.getClient('no-such-client')).toBeNull()
      })

      it('an update prepared before setClientTrusted loses, so it cannot write the old mark back', async () => {
        const client = publicClient('racing')
        await store.createClient(client)
        expect(await store.setClientTrusted('racing', true)).toBe(true)
        expect(await store.updateClient({ ...client, updatedAt: NOW + 5, version: 2 }, 1)).toBe(
          false,
        )
        expect((await store.getClient('racing'))?.trusted).toBe(true)
      })

      it('updateClient writes trusted and resourceServer like the rest of the record', async () => {
        await store.createClient(fullClient)
        const next = { ...fullClient, trusted: false, resourceServer: null, version: 2 }
        expect(await store.updateClient(next, 1)).toBe(true)
        expect(await store.getClient(fullClient.clientId)).toEqual(next)
      })
    })

    describe('users', () => {
      it('getUser and findUserByUsername return the user exactly as createUser stored it', async () => {
        const alice = user('user-alice', 'alice')
        await store.createUser(alice)
        expect(await store.getUser('user-alice')).toEqual(alice)
        expect(await store.findUserByUsername('alice')).toEqual(alice)
      })

      it('getUser and findUserByUsername of an unknown user return null', async () => {
        await store.createUser(user('user-alice', 'alice'))
        expect(await store.getUser('no-such-user')).toBeNull()
        expect(await store.findUserByUsername('bob')).toBeNull()
      })

      it('usernames compare exactly: case matters', async () => {
        const lower = user('user-lower', 'alice')
        const upper = user('user-upper', 'Alice')
        await store.createUser(lower)
        expect(await store.findUserByUsername('ALICE')).toBeNull()
        await store.createUser(upper)
        expect(await store.findUserByUsername('Alice')).toEqual(upper)
        expect(await store.findUserByUsername('alice')).toEqual(lower)
      })

      it('a duplicate username throws and keeps the first user', async () => {
        const first = user('user-1', 'taken')
        await store.createUser(first)
        await expect(store.createUser(user('user-2', 'taken'))).rejects.toThrow()
        expect(await store.findUserByUsername('taken')).toEqual(first)
        expect(await store.getUser('user-2')).toBeNull()
      })

      it('a duplicate user id throws', async () => {
        await store.createUser(user('user-1', 'first'))
        await expect(store.createUser(user('user-1', 'second'))).rejects.toThrow()
        expect(await store.findUserByUsername('second')).toBeNull()
      })

      it('listUsers returns every user, and none from an empty store', async () => {
        expect(await store.listUsers()).toEqual([])
        const users = [user('user-c', 'carol'), user('user-a', 'alice'), user('user-b', 'bob')]
        for (const record of users) await store.createUser(record)
        const listed = await store.listUsers()
        expect(listed).toHaveLength(3)
        expect(listed).toEqual(expect.arrayContaining(users))
      })

      it('deleteUser returns true when it deleted the user, then false', async () => {
        await store.createUser(user('user-doomed', 'doomed'))
        await store.createUser(user('user-survivor', 'survivor'))
        expect(await store.deleteUser('user-doomed')).toBe(true)
        expect(await store.getUser('user-doomed')).toBeNull()
        expect(await store.findUserByUsername('doomed')).toBeNull()
        expect(await store.deleteUser('user-doomed')).toBe(false)
        expect(await store.getUser('user-survivor')).not.toBeNull()
      })

      it('deleteUser of an unknown id returns false', async () => {
        expect(await store.deleteUser('no-such-user')).toBe(false)
      })

      it('deleteUser removes its sessions, consents, codes and tokens, and nobody else’s', async () => {
        await store.createUser(user('user-doomed', 'doomed'))
        await store.createUser(user('user-kept', 'kept'))
        for (const userId of ['user-doomed', 'user-kept']) {
          await store.createSession(session(`session-${userId}`, { userId }))
          await store.saveConsent(consent(userId, 'client-1'))
          await store.createAuthorizationCode(authorizationCode(`code-${userId}`, { userId }))
          await store.createTokens([
            token(`access-${userId}`, { userId }),
            token(`refresh-${userId}`, { userId, kind: 'refresh' }),
          ])
        }
        // A client_credentials token of the same client acts for nobody and stays.
        await store.createTokens([token('client-token', { userId: null, grantId: 'cc' })])

        expect(await store.deleteUser('user-doomed')).toBe(true)

        expect(await store.findSession('session-user-doomed', NOW)).toBeNull()
        expect(await store.findConsent('user-doomed', 'client-1')).toBeNull()
        expect(await store.findAuthorizationCode('code-user-doomed')).toBeNull()
        expect(await store.findToken('access-user-doomed')).toBeNull()
        expect(await store.findToken('refresh-user-doomed')).toBeNull()

        expect(await store.findSession('session-user-kept', NOW)).not.toBeNull()
        expect(await store.findConsent('user-kept', 'client-1')).not.toBeNull()
        expect(await store.findAuthorizationCode('code-user-kept')).not.toBeNull()
        expect(await store.findToken('access-user-kept')).not.toBeNull()
        expect(await store.findToken('refresh-user-kept')).not.toBeNull()
        expect(await store.findToken('client-token')).not.toBeNull()
      })
    })

    describe('sessions', () => {
      it('findSession returns the session exactly as createSession stored it', async () => {
        const record = session('session-1')
        await store.createSession(record)
        expect(await store.findSession('session-1', NOW)).toEqual(record)
      })

      it('findSession of an unknown id hash returns null', async () => {
        await store.createSession(session('session-1'))
        expect(await store.findSession('no-such-session', NOW)).toBeNull()
      })

      it('sessions expire: findSession at or after expiresAt returns null', async () => {
        const record = session('session-1', { expiresAt: NOW + 60 })
        await store.createSession(record)
        expect(await store.findSession('session-1', NOW + 59)).toEqual(record)
        expect(await store.findSession('session-1', NOW + 60)).toBeNull()
        expect(await store.findSession('session-1', NOW + 3600)).toBeNull()
      })

      it('deleteSession removes that session only, and an unknown one is no error', async () => {
        await store.createSession(session('session-1'))
        await store.createSession(session('session-2'))
        await store.deleteSession('session-1')
        await store.deleteSession('no-such-session')
        expect(await store.findSession('session-1', NOW)).toBeNull()
        expect(await store.findSession('session-2', NOW)).not.toBeNull()
      })

      it('a duplicate session id hash throws', async () => {
        await store.createSession(session('session-1'))
        await expect(store.createSession(session('session-1'))).rejects.toThrow()
      })
    })

    describe('consents', () => {
      it('findConsent returns the consent exactly as saveConsent stored it', async () => {
        const record = consent('user-1', 'client-1')
        await store.saveConsent(record)
        expect(await store.findConsent('user-1', 'client-1')).toEqual(record)
      })

      it('empty scopes and resources round-trip', async () => {
        const record = consent('user-1', 'client-1', { scopes: [], resources: [] })
        await store.saveConsent(record)
        expect(await store.findConsent('user-1', 'client-1')).toEqual(record)
      })

      it('findConsent of an unknown user and client returns null', async () => {
        await store.saveConsent(consent('user-1', 'client-1'))
        expect(await store.findConsent('user-1', 'client-2')).toBeNull()
        expect(await store.findConsent('user-2', 'client-1')).toBeNull()
      })

      it('saveConsent upserts: a second consent replaces the first for that user and client only', async () => {
        await store.saveConsent(consent('user-1', 'client-1'))
        await store.saveConsent(consent('user-1', 'client-2'))
        const replaced = consent('user-1', 'client-1', {
          scopes: ['openid', 'profile', 'read'],
          resources: ['https://api.example.com/mcp', 'https://api.example.com/v2'],
          grantedAt: NOW + 600,
        })
        await store.saveConsent(replaced)
        expect(await store.findConsent('user-1', 'client-1')).toEqual(replaced)
        expect(await store.findConsent('user-1', 'client-2')).toEqual(consent('user-1', 'client-2'))
      })
    })

    describe('authorization codes', () => {
      it('findAuthorizationCode returns the code exactly as createAuthorizationCode stored it', async () => {
        const code = authorizationCode('code-1')
        await store.createAuthorizationCode(code)
        expect(await store.findAuthorizationCode('code-1')).toEqual(code)
      })

      it('a code without redirect_uri in the request and without resources round-trips', async () => {
        const code = authorizationCode('code-1', { redirectUriInRequest: false, resources: [] })
        await store.createAuthorizationCode(code)
        expect(await store.findAuthorizationCode('code-1')).toEqual(code)
      })

      it('findAuthorizationCode of an unknown code returns null', async () => {
        await store.createAuthorizationCode(authorizationCode('code-1'))
        expect(await store.findAuthorizationCode('no-such-code')).toBeNull()
      })

      it('an expired code is still returned and redeemed: the caller checks expiresAt', async () => {
        const code = authorizationCode('code-old', { issuedAt: NOW - 600, expiresAt: NOW - 540 })
        await store.createAuthorizationCode(code)
        expect(await store.findAuthorizationCode('code-old')).toEqual(code)
        expect(await store.redeemAuthorizationCode('code-old', NOW, [])).toEqual(REDEEMED)
      })

      it('a duplicate code hash throws and keeps the first code', async () => {
        const first = authorizationCode('code-1')
        await store.createAuthorizationCode(first)
        await expect(
          store.createAuthorizationCode(authorizationCode('code-1', { clientId: 'client-2' })),
        ).rejects.toThrow()
        expect(await store.findAuthorizationCode('code-1')).toEqual(first)
      })

      it('redeemAuthorizationCode marks the code consumed at now and stores the tokens with it', async () => {
        const code = authorizationCode('code-1')
        await store.createAuthorizationCode(code)
        const issued = [token('issued-at'), token('issued-rt', { kind: 'refresh' })]
        expect(await store.redeemAuthorizationCode('code-1', NOW + 5, issued)).toEqual(REDEEMED)
        expect(await store.findAuthorizationCode('code-1')).toEqual({
          ...code,
          consumedAt: NOW + 5,
        })
        for (const record of issued) {
          expect(await store.findToken(record.tokenHash)).toEqual(record)
        }
      })

      it('a second redemption is replayed, with the code and its first consumption time, and stores nothing', async () => {
        const code = authorizationCode('code-1')
        await store.createAuthorizationCode(code)
        await store.redeemAuthorizationCode('code-1', NOW + 5, [token('first-at')])
        expect(
          await store.redeemAuthorizationCode('code-1', NOW + 9, [token('second-at')]),
        ).toEqual({ status: 'replayed', code: { ...code, consumedAt: NOW + 5 } })
        expect(await store.findToken('second-at')).toBeNull()
        expect(await store.findToken('first-at')).toEqual(token('first-at'))
      })

      it('a burned code (redeemed with no tokens) is then replayed, and no token exists', async () => {
        const code = authorizationCode('code-1')
        await store.createAuthorizationCode(code)
        expect(await store.redeemAuthorizationCode('code-1', NOW, [])).toEqual(REDEEMED)
        expect(await store.findAuthorizationCode('code-1')).toEqual({ ...code, consumedAt: NOW })
        expect(await store.redeemAuthorizationCode('code-1', NOW + 1, [token('late-at')])).toEqual({
          status: 'replayed',
          code: { ...code, consumedAt: NOW },
        })
        expect(await store.findToken('late-at')).toBeNull()
      })

      it('a replay after a redemption sees the tokens, so revoking its grant revokes them', async () => {
        await store.createAuthorizationCode(authorizationCode('code-1'))
        await store.redeemAuthorizationCode('code-1', NOW, [
          token('issued-at'),
          token('issued-rt', { kind: 'refresh' }),
        ])
        const replay = await store.redeemAuthorizationCode('code-1', NOW + 1, [])
        if (replay.status !== 'replayed') throw new Error(`expected replayed, got ${replay.status}`)
        await store.revokeGrant(replay.code.grantId, NOW + 1)
        expect((await store.findToken('issued-at'))?.revokedAt).toBe(NOW + 1)
        expect((await store.findToken('issued-rt'))?.revokedAt).toBe(NOW + 1)
      })

      it('redeemAuthorizationCode of an unknown code returns not_found and stores nothing', async () => {
        await store.createAuthorizationCode(authorizationCode('code-1'))
        expect(await store.redeemAuthorizationCode('no-such-code', NOW, [token('at')])).toEqual(
          NOT_FOUND,
        )
        expect(await store.findToken('at')).toBeNull()
        expect((await store.findAuthorizationCode('code-1'))?.consumedAt).toBeNull()
      })

      it('when a token cannot be stored, the redemption is undone with it', async () => {
        await store.createAuthorizationCode(authorizationCode('code-1'))
        await store.createTokens([token('taken')])
        await expect(
          store.redeemAuthorizationCode('code-1', NOW, [token('fresh'), token('taken')]),
        ).rejects.toThrow()
        expect((await store.findAuthorizationCode('code-1'))?.consumedAt).toBeNull()
        expect(await store.findToken('fresh')).toBeNull()
        expect(await store.redeemAuthorizationCode('code-1', NOW, [token('fresh')])).toEqual(
          REDEEMED,
        )
      })

      it('of 10 concurrent redemptions of one code, exactly 1 is redeemed and stores its tokens; 9 are replayed', async () => {
        const code = authorizationCode('code-race')
        await store.createAuthorizationCode(code)
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.redeemAuthorizationCode('code-race', NOW + i, [
              token(`access-${i}`),
              token(`refresh-${i}`, { kind: 'refresh' }),
            ]),
          ),
        )
        expect(results.filter((result) => result.status === 'redeemed')).toHaveLength(1)
        const winner = results.findIndex((result) => result.status === 'redeemed')
        // Every replay sees the code as the winner left it.
        const consumed = { ...code, consumedAt: NOW + winner }
        for (let i = 0; i < 10; i++) {
          const stored = i === winner
          if (!stored) expect(results[i]).toEqual({ status: 'replayed', code: consumed })
          expect(await store.findToken(`access-${i}`)).toEqual(stored ? token(`access-${i}`) : null)
          expect((await store.findToken(`refresh-${i}`)) !== null).toBe(stored)
        }
        expect(await store.findAuthorizationCode('code-race')).toEqual(consumed)
      })

      it('of 10 concurrent redemptions, some burning the code, exactly 1 wins and only its tokens exist', async () => {
        await store.createAuthorizationCode(authorizationCode('code-race'))
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.redeemAuthorizationCode(
              'code-race',
              NOW,
              i % 2 === 0 ? [] : [token(`access-${i}`)],
            ),
          ),
        )
        expect(results.filter((result) => result.status === 'redeemed')).toHaveLength(1)
        expect(results.filter((result) => result.status === 'replayed')).toHaveLength(9)
        const winner = results.findIndex((result) => result.status === 'redeemed')
        for (let i = 1; i < 10; i += 2) {
          expect((await store.findToken(`access-${i}`)) !== null).toBe(i === winner)
        }
      })

      it('a replay racing a redemption always sees the tokens once it sees the code used, so it can revoke them', async () => {
        for (let round = 0; round < 20; round++) {
          const codeHash = `code-r${round}`
          await store.createAuthorizationCode(
            authorizationCode(codeHash, { grantId: `g-${round}` }),
          )
          const issued = token(`at-r${round}`, { grantId: `g-${round}` })
          const redemption = store.redeemAuthorizationCode(codeHash, NOW, [issued])
          // Half the rounds the rival is a second redemption (which burns, as a refused attempt
          // does), half a read (the grant's first step); either revokes what it saw used.
          const rival = async (): Promise<boolean> => {
            if (round % 2 === 0) {
              const result = await store.redeemAuthorizationCode(codeHash, NOW, [])
              if (result.status !== 'replayed') return false
              await store.revokeGrant(result.code.grantId, NOW + 1)
              return true
            }
            const record = await store.findAuthorizationCode(codeHash)
            if (record === null || record.consumedAt === null) return false
            await store.revokeGrant(record.grantId, NOW + 1)
            return true
          }
          const [result, revoked] = await Promise.all([redemption, rival()])
          if (round % 2 === 0) {
            // Either may win the row (on PostgreSQL the rival can lock it first).
            expect(result.status === 'redeemed').toBe(revoked)
          }
          const stored = await store.findToken(issued.tokenHash)
          if (result.status !== 'redeemed') expect(stored).toBeNull()
          else expect(stored?.revokedAt).toBe(revoked ? NOW + 1 : null)
        }
      })
    })

    describe('tokens', () => {
      it('findToken returns each kind of token exactly as createTokens stored it', async () => {
        const tokens = [
          token('access-1'),
          token('refresh-1', { kind: 'refresh', expiresAt: null }),
          // client_credentials: no user, no audience.
          token('access-cc', { userId: null, resources: [], grantId: 'grant-cc' }),
          token('revoked-rotated', {
            kind: 'refresh',
            revokedAt: NOW + 1,
            rotatedAt: NOW + 2,
            expiresAt: 4_102_444_800,
          }),
        ]
        await store.createTokens(tokens)
        for (const record of tokens) {
          expect(await store.findToken(record.tokenHash)).toEqual(record)
        }
      })

      it('findToken of an unknown hash returns null', async () => {
        await store.createTokens([token('access-1')])
        expect(await store.findToken('no-such-token')).toBeNull()
      })

      it('createTokens stores all or none: a batch with one duplicate stores nothing', async () => {
        await store.createTokens([token('existing')])
        await expect(
          store.createTokens([token('new-1'), token('existing'), token('new-2')]),
        ).rejects.toThrow()
        expect(await store.findToken('new-1')).toBeNull()
        expect(await store.findToken('new-2')).toBeNull()
        expect(await store.findToken('existing')).toEqual(token('existing'))
      })

      it('createTokens of no tokens does nothing', async () => {
        await expect(store.createTokens([])).resolves.toBeUndefined()
      })

      it('revokeToken returns true and records the time, then false and keeps the first time', async () => {
        await store.createTokens([token('access-1')])
        expect(await store.revokeToken('access-1', NOW + 5)).toBe(true)
        expect(await store.revokeToken('access-1', NOW + 9)).toBe(false)
        expect(await store.findToken('access-1')).toEqual({
          ...token('access-1'),
          revokedAt: NOW + 5,
        })
      })

      it('revokeToken of an unknown token returns false', async () => {
        expect(await store.revokeToken('no-such-token', NOW)).toBe(false)
      })

      it('revokeGrant revokes every token of that grant and no others, keeping earlier revocations', async () => {
        await store.createTokens([
          token('access-1', { grantId: 'grant-1' }),
          token('refresh-1', { grantId: 'grant-1', kind: 'refresh', rotatedAt: NOW }),
          token('refresh-2', { grantId: 'grant-1', kind: 'refresh' }),
          token('already', { grantId: 'grant-1', revokedAt: NOW - 10 }),
          token('other', { grantId: 'grant-2' }),
        ])
        await store.revokeGrant('grant-1', NOW + 5)
        for (const hash of ['access-1', 'refresh-1', 'refresh-2']) {
          expect((await store.findToken(hash))?.revokedAt).toBe(NOW + 5)
        }
        expect((await store.findToken('already'))?.revokedAt).toBe(NOW - 10)
        expect((await store.findToken('other'))?.revokedAt).toBeNull()
      })

      it('revokeGrant of a grant without tokens is no error', async () => {
        await expect(store.revokeGrant('no-such-grant', NOW)).resolves.toBeUndefined()
      })
    })

    describe('refresh token rotation', () => {
      it('rotateRefreshToken marks the token rotated at now and stores the replacements', async () => {
        const old = token('refresh-old', { kind: 'refresh' })
        await store.createTokens([old])
        const replacements = [
          token('access-new', { issuedAt: NOW + 5 }),
          token('refresh-new', { kind: 'refresh', issuedAt: NOW + 5 }),
        ]
        expect(await store.rotateRefreshToken('refresh-old', NOW + 5, replacements)).toEqual(
          ROTATED,
        )
        expect(await store.findToken('refresh-old')).toEqual({ ...old, rotatedAt: NOW + 5 })
        for (const record of replacements) {
          expect(await store.findToken(record.tokenHash)).toEqual(record)
        }
      })

      it('a second rotation is reused: it returns the token as rotated and stores nothing', async () => {
        const old = token('refresh-old', { kind: 'refresh' })
        await store.createTokens([old])
        await store.rotateRefreshToken('refresh-old', NOW + 5, [token('refresh-a')])
        expect(
          await store.rotateRefreshToken('refresh-old', NOW + 9, [token('refresh-b')]),
        ).toEqual({ status: 'reused', token: { ...old, rotatedAt: NOW + 5 } })
        expect(await store.findToken('refresh-b')).toBeNull()
      })

      it('of 10 concurrent rotations, exactly 1 rotates and stores its replacements once; 9 are reused', async () => {
        await store.createTokens([token('refresh-race', { kind: 'refresh' })])
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.rotateRefreshToken('refresh-race', NOW + 1, [
              token(`access-${i}`),
              token(`refresh-${i}`, { kind: 'refresh' }),
            ]),
          ),
        )
        expect(results.filter((result) => result.status === 'rotated')).toHaveLength(1)
        expect(results.filter((result) => result.status === 'reused')).toHaveLength(9)
        const winner = results.findIndex((result) => result.status === 'rotated')
        for (let i = 0; i < 10; i++) {
          const stored = i === winner
          expect(await store.findToken(`access-${i}`)).toEqual(stored ? token(`access-${i}`) : null)
          expect((await store.findToken(`refresh-${i}`)) !== null).toBe(stored)
        }
      })

      it('rotating an access token returns not_found and changes nothing', async () => {
        await store.createTokens([token('access-1')])
        expect(await store.rotateRefreshToken('access-1', NOW, [token('refresh-new')])).toEqual(
          NOT_FOUND,
        )
        expect(await store.findToken('access-1')).toEqual(token('access-1'))
        expect(await store.findToken('refresh-new')).toBeNull()
      })

      it('rotating an unknown token returns not_found and stores nothing', async () => {
        expect(
          await store.rotateRefreshToken('no-such-token', NOW, [token('refresh-new')]),
        ).toEqual(NOT_FOUND)
        expect(await store.findToken('refresh-new')).toBeNull()
      })

      it('a revoked refresh token is reused: it is returned, not rotated, and nothing is stored', async () => {
        const revoked = token('refresh-revoked', { kind: 'refresh', revokedAt: NOW - 1 })
        await store.createTokens([revoked])
        expect(
          await store.rotateRefreshToken('refresh-revoked', NOW, [token('refresh-new')]),
        ).toEqual({ status: 'reused', token: revoked })
        expect(await store.findToken('refresh-new')).toBeNull()
      })

      it('when a replacement cannot be stored, the rotation is undone with it', async () => {
        await store.createTokens([token('refresh-old', { kind: 'refresh' }), token('taken')])
        await expect(
          store.rotateRefreshToken('refresh-old', NOW, [token('fresh'), token('taken')]),
        ).rejects.toThrow()
        expect((await store.findToken('refresh-old'))?.rotatedAt).toBeNull()
        expect(await store.findToken('fresh')).toBeNull()
        expect(await store.rotateRefreshToken('refresh-old', NOW, [token('fresh')])).toEqual(
          ROTATED,
        )
      })
    })

    describe('private_key_jwt assertion jtis', () => {
      it('consumeAssertionJti is true on first use and false on a replay', async () => {
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 60, NOW)).toBe(true)
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 60, NOW + 1)).toBe(false)
      })

      it('another client may use the same jti', async () => {
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 60, NOW)).toBe(true)
        expect(await store.consumeAssertionJti('client-2', 'jti-1', NOW + 60, NOW)).toBe(true)
        expect(await store.consumeAssertionJti('client-2', 'jti-1', NOW + 60, NOW)).toBe(false)
      })

      it('a jti is a replay until its expiresAt and may be used again from then on', async () => {
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 60, NOW)).toBe(true)
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 120, NOW + 59)).toBe(
          false,
        )
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 120, NOW + 60)).toBe(true)
        // The second use is recorded until its own expiry.
        expect(await store.consumeAssertionJti('client-1', 'jti-1', NOW + 180, NOW + 119)).toBe(
          false,
        )
      })

      it('of 10 concurrent uses of one jti, exactly 1 is accepted', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            store.consumeAssertionJti('client-1', 'jti-race', NOW + 60, NOW),
          ),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
      })
    })

    describe('deleteClient and what was issued to the client', () => {
      it('deleteClient removes its tokens, codes and consents, and not another client’s', async () => {
        await store.createClient(publicClient('client-doomed'))
        await store.createClient(publicClient('client-kept'))
        for (const clientId of ['client-doomed', 'client-kept']) {
          await store.saveConsent(consent('user-1', clientId))
          await store.createAuthorizationCode(authorizationCode(`code-${clientId}`, { clientId }))
          await store.createTokens([
            token(`access-${clientId}`, { clientId }),
            token(`refresh-${clientId}`, { clientId, kind: 'refresh' }),
            token(`cc-${clientId}`, { clientId, userId: null }),
          ])
        }
        await store.createSession(session('session-1'))

        expect(await store.deleteClient('client-doomed')).toBe(true)

        expect(await store.getClient('client-doomed')).toBeNull()
        expect(await store.findConsent('user-1', 'client-doomed')).toBeNull()
        expect(await store.findAuthorizationCode('code-client-doomed')).toBeNull()
        for (const hash of ['access-client-doomed', 'refresh-client-doomed', 'cc-client-doomed']) {
          expect(await store.findToken(hash)).toBeNull()
        }

        expect(await store.getClient('client-kept')).not.toBeNull()
        expect(await store.findConsent('user-1', 'client-kept')).not.toBeNull()
        expect(await store.findAuthorizationCode('code-client-kept')).not.toBeNull()
        for (const hash of ['access-client-kept', 'refresh-client-kept', 'cc-client-kept']) {
          expect(await store.findToken(hash)).not.toBeNull()
        }
        // The user and their session belong to nobody's client.
        expect(await store.findSession('session-1', NOW)).not.toBeNull()
      })
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

const NOT_FOUND = { status: 'not_found' } as const
const REDEEMED = { status: 'redeemed' } as const
const ROTATED = { status: 'rotated' } as const

function user(id: string, username: string): UserRecord {
  return {
    id,
    username,
    passwordHash: `scrypt$N=131072,r=8,p=1$c2FsdC1vZi0${id}$aGFzaC1vZi0${id}`,
    createdAt: NOW - 86_400,
  }
}

function session(idHash: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    idHash,
    userId: 'user-1',
    authTime: NOW - 60,
    createdAt: NOW - 60,
    // 2100-01-01: beyond int4's 2038 limit.
    expiresAt: 4_102_444_800,
    ...overrides,
  }
}

export function consent(
  userId: string,
  clientId: string,
  overrides: Partial<ConsentRecord> = {},
): ConsentRecord {
  return {
    userId,
    clientId,
    scopes: ['openid', 'read'],
    resources: ['https://api.example.com/mcp'],
    grantedAt: NOW - 30,
    ...overrides,
  }
}

function authorizationCode(
  codeHash: string,
  overrides: Partial<AuthorizationCodeRecord> = {},
): AuthorizationCodeRecord {
  return {
    codeHash,
    clientId: 'client-1',
    userId: 'user-1',
    redirectUri: 'http://127.0.0.1:51004/callback',
    redirectUriInRequest: true,
    scope: 'openid read',
    resources: ['https://api.example.com/mcp', 'https://api.example.com/v2'],
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    authTime: NOW - 120,
    grantId: 'grant-1',
    issuedAt: NOW - 10,
    expiresAt: NOW + 50,
    consumedAt: null,
    ...overrides,
  }
}

export function token(tokenHash: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    tokenHash,
    kind: 'access',
    clientId: 'client-1',
    userId: 'user-1',
    scope: 'openid read',
    resources: ['https://api.example.com/mcp'],
    grantId: 'grant-1',
    issuedAt: NOW,
    expiresAt: NOW + 3600,
    revokedAt: null,
    rotatedAt: null,
    ...overrides,
  }
}

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
    verifiedBySoftwareStatement: true,
  },
  registrationAccessTokenHash: 'rat-hash-Yzg0ZTk1ZjQ1ZWM0NGRmZDk3ZmE4MTU',
  registrationAccessTokenExpiresAt: 4_102_444_800,
  version: 1,
  trusted: true,
  resourceServer: 'https://api.example.com/mcp',
}

/** A minimal dynamic (or admin) public client, for store tests beyond the contract too. */
export function publicClient(
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
      verifiedBySoftwareStatement: false,
    },
    registrationAccessTokenHash: null,
    registrationAccessTokenExpiresAt: null,
    version: 1,
    trusted: false,
    resourceServer: null,
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
