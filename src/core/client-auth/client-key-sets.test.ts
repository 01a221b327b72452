import type { CryptoKey, JWK } from 'jose'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { fakeFetcher, fetchResult } from '../../../test/net/fake-fetcher.js'
import { adminClientRecord } from '../../../test/support/client-records.js'
import { OAuthError } from '../../errors.js'
import type { Fetcher } from '../fetch/fetcher.js'
import { FetchFailedError } from '../fetch/fetcher.js'
import type { ClientRecord } from '../store/store.js'
import { ClientKeySets } from './client-key-sets.js'
import { JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from './verify-client-assertion.js'

const ISSUER = 'https://as.example'
const CLIENT_ID = 'remote-client'
const JWKS_URI = 'https://client.example/jwks.json'

let privateKey: CryptoKey
let publicJwk: JWK

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true })
  privateKey = pair.privateKey
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }
})

function remoteClient(version = 1): ClientRecord {
  return adminClientRecord({
    clientId: CLIENT_ID,
    version,
    metadata: {
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials'],
      response_types: [],
      application_type: 'web',
      scope: 'read',
      jwks_uri: JWKS_URI,
    },
  })
}

const serveKeys = () =>
  fakeFetcher(async () => fetchResult(200, JSON.stringify({ keys: [publicJwk] })))

function assertion(): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ jti: `jti-${Math.random()}` })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(ISSUER)
    .setExpirationTime(now + 60)
    .sign(privateKey)
}

describe('RFC 7591 §2 jwks_uri: a client’s keys are fetched through the injected Fetcher only', () => {
  it('the keys verify; one fetch serves several requests of the same registration', async () => {
    const fetch = serveKeys()
    const keySets = new ClientKeySets(fetch)
    for (let i = 0; i < 3; i += 1) {
      const getKey = keySets.get(remoteClient())
      expect(getKey).not.toBeNull()
      if (getKey !== null) await jwtVerify(await assertion(), getKey)
    }
    expect(fetch.requests.map((request) => request.url)).toEqual([JWKS_URI])
  })

  it('an updated registration (a new version) gets its keys fetched anew', async () => {
    const fetch = serveKeys()
    const keySets = new ClientKeySets(fetch)
    for (const version of [1, 2]) {
      const getKey = keySets.get(remoteClient(version))
      if (getKey !== null) await jwtVerify(await assertion(), getKey)
    }
    expect(fetch.requests.map((request) => request.url)).toEqual([JWKS_URI, JWKS_URI])
  })

  it('without a fetcher nothing is fetched: a jwks_uri gives no usable keys', () => {
    expect(new ClientKeySets().get(remoteClient())).toBeNull()
  })
})

describe('RFC 7523 §3.2: every failure to get a jwks_uri’s keys is the same invalid_client', () => {
  async function failureOf(fetch: Fetcher): Promise<OAuthError> {
    const outcome = await verifyClientAssertion(
      {
        issuer: ISSUER,
        tokenEndpoint: `${ISSUER}/token`,
        keySets: new ClientKeySets(fetch),
        now: () => Math.floor(Date.now() / 1000),
        maxLifetimeSeconds: 3600,
        realm: ISSUER,
        consumeJti: async () => true,
      },
      remoteClient(),
      await assertion(),
      JWT_BEARER_ASSERTION_TYPE,
    ).then(
      () => 'accepted',
      (error: unknown) => error,
    )
    expect(outcome).toBeInstanceOf(OAuthError)
    return outcome as OAuthError
  }

  it.each([
    [
      'the fetcher refuses (a loopback address)',
      () => Promise.reject(new FetchFailedError(new Error('127.0.0.1 is a loopback address'))),
    ],
    [
      'the fetcher times out',
      () => Promise.reject(new FetchFailedError(new Error('no complete response within 5000 ms'))),
    ],
    ['the jwks_uri answers 500', async () => fetchResult(500, '')],
    ['the jwks_uri answers 404', async () => fetchResult(404, 'not found')],
    ['the jwks_uri answers HTML', async () => fetchResult(200, '<html>')],
    [
      'the jwks_uri answers JSON that is not a JWK Set',
      async () => fetchResult(200, '{"keys":{}}'),
    ],
  ])('%s', async (_, respond) => {
    const error = await failureOf(fakeFetcher(respond))
    expect(error.code).toBe('invalid_client')
    expect(error.status).toBe(401)
    expect(error.description).toBe(
      "client_assertion cannot be verified: the client's keys could not be obtained",
    )
  })
})
