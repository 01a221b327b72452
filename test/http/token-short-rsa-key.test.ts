import type { KeyObject } from 'node:crypto'
import { generateKeyPairSync, sign } from 'node:crypto'
import type { JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertionForm } from '../support/client-assertions.js'
import { expectOAuthError, nowSeconds } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import { createTestClient, postForm, random } from '../support/token-helpers.js'

interface RsaKey {
  readonly privateKey: KeyObject
  readonly jwk: JWK
}

function rsaKey(bits: number): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: `k${bits}`, alg: 'RS256', use: 'sig' }
  return { privateKey, jwk }
}

/**
 * A private_key_jwt assertion (RFC 7523 §3) signed RS256 by hand with node:crypto: jose's
 * SignJWT refuses to sign with a key under 2048 bits, which is exactly the key this test needs.
 */
function signRs256(key: RsaKey, clientId: string, audience: string): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url')
  const now = nowSeconds()
  const claims = { iss: clientId, sub: clientId, aud: audience, exp: now + 60, jti: random() }
  const input = `${encode({ alg: 'RS256', kid: key.jwk.kid })}.${encode(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`
}

describe('A42, RFC 7518 §3.3: an RSA key under 2048 bits never authenticates a client', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.close()
  })

  async function tokenRequest(key: RsaKey) {
    // Registration refuses such a key now; written to the store directly, as a client
    // registered before the check would hold it.
    const client = await createTestClient(server.store, {
      method: 'private_key_jwt',
      grantTypes: ['client_credentials'],
      jwks: { keys: [key.jwk] },
    })
    return postForm(`${server.url}/token`, {
      grant_type: 'client_credentials',
      ...assertionForm(signRs256(key, client.clientId, server.issuer)),
    })
  }

  it('a stored 1024-bit key → 401 invalid_client, saying why', async () => {
    const result = await tokenRequest(rsaKey(1024))
    expectOAuthError(result, 401, 'invalid_client')
    expect(result.json?.error_description).toContain('under 2048 bits')
  })

  it('the same hand-made assertion with a 2048-bit key → 200 (the assertion itself is sound)', async () => {
    const result = await tokenRequest(rsaKey(2048))
    expect(result.status, result.text).toBe(200)
  })
})
