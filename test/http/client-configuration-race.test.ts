import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedClient } from '../support/client-configuration.js'
import {
  deleteClient,
  expectInvalidToken,
  putClient,
  readClient,
  registerManaged,
} from '../support/client-configuration.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError } from '../support/http-helpers.js'
import type { StoreJitter } from '../support/store-jitter.js'
import { addStoreJitter } from '../support/store-jitter.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

/**
 * Store.updateClient is a compare-and-set on the record's version (store.ts): two PUTs racing
 * on one client must serialise, so the stored registration is always exactly one of the two
 * bodies, never a mixture, and the loser gets a clear answer, never a 500.
 */

const ITERATIONS = 300
/** Upper bound of the random delay added to each store read and write, in milliseconds. */
const JITTER_MS = 4

/** Each body sets all four fields from its own set of values. */
const BODY_A = {
  client_name: 'Alpha',
  redirect_uris: ['https://alpha.example/cb', 'https://alpha.example/cb2'],
  logo_uri: 'https://alpha.example/logo.png',
  scope: 'read',
} as const
const BODY_B = {
  client_name: 'Bravo',
  redirect_uris: ['https://bravo.example/cb'],
  logo_uri: 'https://bravo.example/logo.png',
  scope: 'write',
} as const
type Body = typeof BODY_A | typeof BODY_B

const INITIAL = {
  client_name: 'Initial',
  redirect_uris: ['https://initial.example/cb'],
  logo_uri: 'https://initial.example/logo.png',
  scope: 'read write',
} as const

const FIELDS = ['client_name', 'redirect_uris', 'logo_uri', 'scope'] as const

function fieldsOf(body: Record<string, unknown> | null): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((field) => [field, body?.[field]]))
}

/** Which body the stored registration equals, field by field; fails on a mixture. */
function whichBody(stored: Record<string, unknown> | null): Body {
  const fields = fieldsOf(stored)
  const match = [BODY_A, BODY_B].find(
    (body) => JSON.stringify(fieldsOf(body)) === JSON.stringify(fields),
  )
  if (match === undefined) {
    throw new Error(`stored registration is a mixture of both bodies: ${JSON.stringify(fields)}`)
  }
  return match
}

async function race(
  server: TestServer,
): Promise<{ client: ManagedClient; a: HttpResult; b: HttpResult }> {
  const client = await registerManaged(server.url, { ...INITIAL })
  const [a, b] = await Promise.all([
    putClient(client.uri, client.token, { ...BODY_A, client_id: client.clientId }),
    putClient(client.uri, client.token, { ...BODY_B, client_id: client.clientId }),
  ])
  return { client, a, b }
}

function statusesOf(results: readonly HttpResult[]): string {
  return results.map((r) => `${r.status} ${r.status === 200 ? '' : r.text}`).join(' | ')
}

describe('two PUTs racing on one client, registrationAccessToken.rotateOnUpdate: true (default)', () => {
  let server: TestServer
  let jitter: StoreJitter
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    jitter = addStoreJitter(server.store, JITTER_MS)
  })
  afterAll(async () => {
    await server.close()
  })

  it(`RFC 7592 §2.2 / A7: over ${ITERATIONS} races, exactly one PUT gets 200 and the other 401 invalid_token; the stored registration is exactly the winner's body`, async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      const { client, a, b } = await race(server)
      const statuses = [a.status, b.status].sort()
      expect(statuses, statusesOf([a, b])).toEqual([200, 401])
      const [winner, loser, body] = a.status === 200 ? [a, b, BODY_A] : [b, a, BODY_B]
      expectInvalidToken(loser)

      const token = winner.json?.registration_access_token
      if (typeof token !== 'string') throw new Error(`no token in ${winner.text}`)
      expect(token).not.toBe(client.token)
      expect(fieldsOf(winner.json)).toEqual(fieldsOf(body))

      const read = await readClient(client.uri, token)
      expect(read.status, read.text).toBe(200)
      expect(whichBody(read.json)).toBe(body)
      expect(read.json).toEqual(winner.json)
      // The token both PUTs presented is rotated out.
      expectInvalidToken(await readClient(client.uri, client.token))
    }
    // Some losers got as far as the write and were refused there: the race really happened.
    expect(jitter.refusedUpdates()).toBeGreaterThan(0)
  })
})

describe('two PUTs racing on one client, registrationAccessToken.rotateOnUpdate: false', () => {
  let server: TestServer
  let jitter: StoreJitter
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, registrationAccessToken: { rotateOnUpdate: false } },
    })
    jitter = addStoreJitter(server.store, JITTER_MS)
  })
  afterAll(async () => {
    await server.close()
  })

  it(`RFC 7592 §2.2: over ${ITERATIONS} races, both PUTs get 200 (or one 200 and one 409), and the stored registration equals one body entirely`, async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      const { client, a, b } = await race(server)
      const statuses = [a.status, b.status].sort()
      expect(
        [JSON.stringify([200, 200]), JSON.stringify([200, 409])],
        statusesOf([a, b]),
      ).toContain(JSON.stringify(statuses))
      for (const [result, body] of [
        [a, BODY_A],
        [b, BODY_B],
      ] as const) {
        if (result.status === 409) expectOAuthError(result, 409, 'invalid_request')
        else {
          expect(result.json?.registration_access_token).toBe(client.token)
          expect(fieldsOf(result.json)).toEqual(fieldsOf(body))
        }
      }

      const read = await readClient(client.uri, client.token)
      expect(read.status, read.text).toBe(200)
      const stored = whichBody(read.json)
      if (statuses[1] === 409) {
        // The only write that happened is the one that got 200.
        expect(stored).toBe(a.status === 200 ? BODY_A : BODY_B)
      }
      const record = await server.store.getClient(client.clientId)
      expect(fieldsOf(record === null ? null : { ...record.metadata })).toEqual(fieldsOf(stored))
      expect(record?.version).toBe(1 + statuses.filter((s) => s === 200).length)
    }
    // Some losers got as far as the write, were refused and retried: the race really happened.
    expect(jitter.refusedUpdates()).toBeGreaterThan(0)
  })
})

describe('a PUT racing a DELETE on one client', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    addStoreJitter(server.store, JITTER_MS)
  })
  afterAll(async () => {
    await server.close()
  })

  it('RFC 7592 §2.3: never a 500; a 204 leaves the client gone, a refused DELETE leaves the PUT body in place', async () => {
    for (let i = 0; i < 100; i++) {
      const client = await registerManaged(server.url, { ...INITIAL })
      const [put, removed] = await Promise.all([
        putClient(client.uri, client.token, { ...BODY_A, client_id: client.clientId }),
        deleteClient(client.uri, client.token),
      ])
      expect([200, 401], statusesOf([put, removed])).toContain(put.status)
      expect([204, 401], statusesOf([put, removed])).toContain(removed.status)
      const record = await server.store.getClient(client.clientId)
      if (removed.status === 204) {
        expect(record).toBeNull()
      } else {
        expectInvalidToken(removed)
        expect(put.status).toBe(200)
        expect(fieldsOf(record === null ? null : { ...record.metadata })).toEqual(fieldsOf(BODY_A))
      }
      if (put.status === 401) expectInvalidToken(put)
    }
  })
})
