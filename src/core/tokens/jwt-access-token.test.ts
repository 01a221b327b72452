import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { accessTokenAudience, createAccessTokenSigner } from './jwt-access-token.js'

describe('RFC 9068: JWT access tokens', () => {
  it.each([
    ['resources become the audience', ['https://rs.example'], ['https://rs.example']],
    ['no resource: the issuer is the audience (aud is required, §2.2)', [], ['https://as.example']],
  ])('%s', (_name, resources, expected) => {
    expect(accessTokenAudience(resources, 'https://as.example')).toEqual(expected)
  })

  it('§2.1: typ is at+jwt; §2.2: iss, sub, aud, client_id, scope, iat, exp, jti are all present', async () => {
    const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true })
    const sign = createAccessTokenSigner({
      ...(await exportJWK(privateKey)),
      alg: 'PS256',
      kid: 'k',
    })
    const jwt = await sign({
      issuer: 'https://as.example',
      subject: 'user-1',
      audience: ['https://a.example', 'https://b.example'],
      clientId: 'client-1',
      scope: 'read',
      issuedAt: 1_000,
      expiresAt: 4_600,
      jti: 'id-1',
    })
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'PS256', kid: 'k', typ: 'at+jwt' })
    const { payload } = await jwtVerify(jwt, publicKey, { currentDate: new Date(2_000_000) })
    expect(payload).toEqual({
      iss: 'https://as.example',
      sub: 'user-1',
      aud: ['https://a.example', 'https://b.example'],
      client_id: 'client-1',
      scope: 'read',
      iat: 1_000,
      exp: 4_600,
      jti: 'id-1',
    })
  })
})
