import { exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { publicJwks } from './public-jwks.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

describe('RFC 8414 jwks_uri: only the public half of the signing key is published', () => {
  it.each([
    ['RS256', ['kty', 'n', 'e', 'kid', 'alg', 'use']],
    ['ES256', ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use']],
    ['EdDSA', ['kty', 'crv', 'x', 'kid', 'alg', 'use']],
  ])('%s: private members are dropped, public ones kept', async (alg, members) => {
    const { privateKey } = await generateKeyPair(alg, { extractable: true })
    const jwk = { ...(await exportJWK(privateKey)), alg, kid: 'k1', ext: true, key_ops: ['sign'] }
    const [key] = publicJwks(jwk).keys
    expect(Object.keys(key ?? {}).sort()).toEqual([...members].sort())
    for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
    expect(key).toMatchObject({ kid: 'k1', alg, use: 'sig' })
  })

  it('an unknown key type is a configuration error (TypeError)', () => {
    expect(() => publicJwks({ kty: 'oct', k: 'secret', alg: 'HS256', kid: 'x' })).toThrow(TypeError)
  })
})
