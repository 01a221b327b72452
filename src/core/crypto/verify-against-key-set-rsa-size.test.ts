import type { KeyObject } from 'node:crypto'
import { generateKeyPairSync, sign } from 'node:crypto'
import type { JWTVerifyGetKey } from 'jose'
import { createLocalJWKSet } from 'jose'
import { describe, expect, it } from 'vitest'
import { verifyAgainstKeySet } from './verify-against-key-set.js'

/** An RS256 JWT signed with node:crypto: jose's SignJWT will not sign with a short key. */
function signRs256(privateKey: KeyObject): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url')
  const input = `${encode({ alg: 'RS256', kid: 'k' })}.${encode({ sub: 'client' })}`
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
}

function rsa(bits: number): { readonly jwt: string; readonly publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
  return { jwt: signRs256(privateKey), publicKey }
}

// Keys fetched from a jwks_uri reach the verifier through a resolver like the second one (the
// remote key set hands over the key it fetched), so whatever fetches them, the size is checked
// where the signature is: jose's jwtVerify (RFC 7518 §3.3, docs/decisions.md A42).
const RESOLVERS: readonly (readonly [string, (key: KeyObject) => JWTVerifyGetKey])[] = [
  [
    'a local JWK Set',
    (key) => createLocalJWKSet({ keys: [{ ...key.export({ format: 'jwk' }), kid: 'k' }] }),
  ],
  ['a resolver handing over a fetched key', (key) => async () => key],
]

describe('A42, RFC 7518 §3.3: an RS256 signature by an RSA key under 2048 bits never verifies', () => {
  it.each(RESOLVERS)('through %s, a 1024-bit key is refused', async (_name, resolver) => {
    const { jwt, publicKey } = rsa(1024)
    await expect(
      verifyAgainstKeySet(jwt, resolver(publicKey), { algorithms: ['RS256'] }),
    ).rejects.toThrow(/2048 bits/)
  })

  it.each(RESOLVERS)('through %s, a 2048-bit key verifies', async (_name, resolver) => {
    const { jwt, publicKey } = rsa(2048)
    const payload = await verifyAgainstKeySet(jwt, resolver(publicKey), { algorithms: ['RS256'] })
    expect(payload.sub).toBe('client')
  })
})
