import type { CryptoKey, JWK } from 'jose'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { fakeFetcher, fetchResult } from '../../../test/net/fake-fetcher.js'
import { FetchFailedError } from './fetcher.js'
import { createRemoteKeySet } from './remote-key-set.js'

const JWKS_URI = 'https://client.example/jwks.json'

let privateKey: CryptoKey
let publicJwk: JWK
let token: string

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true })
  privateKey = pair.privateKey
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }
  token = await new SignJWT({ sub: 'client' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .sign(privateKey)
})

async function outcome(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => 'verified',
    (error: unknown) => error,
  )
}

describe('RFC 7591 §2 jwks_uri: keys are fetched only through the injected Fetcher', () => {
  it('verifies with the fetched keys; asks for a JWK Set within 64 KiB and 5 s', async () => {
    const fetcher = fakeFetcher(async () => fetchResult(200, JSON.stringify({ keys: [publicJwk] })))
    const getKey = createRemoteKeySet(new URL(JWKS_URI), fetcher)
    await expect(jwtVerify(token, getKey)).resolves.toMatchObject({ payload: { sub: 'client' } })
    expect(fetcher.requests).toHaveLength(1)
    expect(fetcher.requests[0]).toMatchObject({
      url: JWKS_URI,
      accept: ['application/jwk-set+json', 'application/json'],
      maxBytes: 65_536,
      timeoutMs: 5_000,
    })
    expect(fetcher.requests[0]?.signal).toBeInstanceOf(AbortSignal)
  })

  it("jose's cache holds: ten verifications, one fetch", async () => {
    const fetcher = fakeFetcher(async () => fetchResult(200, JSON.stringify({ keys: [publicJwk] })))
    const getKey = createRemoteKeySet(new URL(JWKS_URI), fetcher)
    for (let i = 0; i < 10; i += 1) await jwtVerify(token, getKey)
    expect(fetcher.requests).toHaveLength(1)
  })
})

describe('every way a jwks_uri fetch fails is the one FetchFailedError', () => {
  it.each([
    [
      'the fetcher refuses (a private address, a timeout…)',
      () => Promise.reject(new FetchFailedError(new Error('loopback'))),
    ],
    ['status 404', async () => fetchResult(404, JSON.stringify({ keys: [] }))],
    ['status 500', async () => fetchResult(500, 'oops')],
    ['status 204', async () => fetchResult(204, '')],
    ['a body that is not JSON', async () => fetchResult(200, '<html>')],
    ['a body that is not UTF-8', async () => fetchResult(200, new Uint8Array([0x7b, 0xff, 0x7d]))],
    ['a JSON array', async () => fetchResult(200, JSON.stringify([publicJwk]))],
    ['an object without keys', async () => fetchResult(200, JSON.stringify({ kty: 'EC' }))],
    [
      'keys that is not an array',
      async () => fetchResult(200, JSON.stringify({ keys: publicJwk })),
    ],
    ['keys holding a string', async () => fetchResult(200, JSON.stringify({ keys: ['k1'] }))],
    ['keys holding null', async () => fetchResult(200, JSON.stringify({ keys: [null] }))],
  ])('%s', async (_, respond) => {
    const getKey = createRemoteKeySet(new URL(JWKS_URI), fakeFetcher(respond))
    const error = await outcome(jwtVerify(token, getKey))
    expect(error).toBeInstanceOf(FetchFailedError)
    expect((error as Error).message).toBe('the fetch failed')
  })
})

describe('a failed fetch is not retried on every request', () => {
  it('within 30 s of a failure no fetch is made; after it, one is', async () => {
    let clock = 1_000_000
    let healthy = false
    const fetcher = fakeFetcher(async () =>
      healthy ? fetchResult(200, JSON.stringify({ keys: [publicJwk] })) : fetchResult(503, ''),
    )
    const getKey = createRemoteKeySet(new URL(JWKS_URI), fetcher, () => clock)

    expect(await outcome(jwtVerify(token, getKey))).toBeInstanceOf(FetchFailedError)
    expect(fetcher.requests).toHaveLength(1)
    healthy = true
    clock += 29_999
    for (let i = 0; i < 5; i += 1) {
      expect(await outcome(jwtVerify(token, getKey))).toBeInstanceOf(FetchFailedError)
    }
    expect(fetcher.requests).toHaveLength(1)

    clock += 1
    expect(await outcome(jwtVerify(token, getKey))).toBe('verified')
    expect(fetcher.requests).toHaveLength(2)
  })

  it('a failed refetch (an unknown kid) does not stop the fresh keys from verifying', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      let healthy = true
      const fetcher = fakeFetcher(async () =>
        healthy ? fetchResult(200, JSON.stringify({ keys: [publicJwk] })) : fetchResult(503, ''),
      )
      const getKey = createRemoteKeySet(new URL(JWKS_URI), fetcher, () => Date.now())
      await jwtVerify(token, getKey)
      healthy = false
      // Past jose's 30 s refetch cooldown, within its 10 minute cache: an unknown kid refetches.
      vi.advanceTimersByTime(31_000)
      const unknownKid = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'rotated' })
        .sign(privateKey)
      expect(await outcome(jwtVerify(unknownKid, getKey))).toBeInstanceOf(FetchFailedError)
      expect(fetcher.requests).toHaveLength(2)
      expect(await outcome(jwtVerify(token, getKey))).toBe('verified')
    } finally {
      vi.useRealTimers()
    }
  })
})
