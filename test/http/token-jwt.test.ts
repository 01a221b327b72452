import type { JWK } from 'jose'
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestUser } from '../support/token-helpers.js'
import {
  codeRequest,
  createTestClient,
  createTestCode,
  createTestUser,
  postForm,
  storedToken,
  stringMember,
} from '../support/token-helpers.js'

const RESOURCE = 'https://mcp.example.com/mcp'

describe("JWT access tokens (RFC 9068) when tokens.format is 'jwt'", () => {
  let server: TestServer
  let user: TestUser
  let signingKey: JWK
  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'at-1' }
    server = await startTestServer({ tokens: { format: 'jwt', signingKey } })
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  it('GET /jwks serves the public key as application/jwk-set+json, with no private member', async () => {
    const result = await send(`${server.issuer}/jwks`)
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toBe('application/jwk-set+json')
    expect(result.json).toEqual({
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: signingKey.x,
          y: signingKey.y,
          kid: 'at-1',
          alg: 'ES256',
          use: 'sig',
        },
      ],
    })
    expect(result.text).not.toContain(String(signingKey.d))
  })

  it('RFC 9068 §2: a code grant access token verifies against /jwks with typ at+jwt and the required claims', async () => {
    const client = await createTestClient(server.store, { scope: 'read write' })
    const code = await createTestCode(server.store, client, user, { resources: [RESOURCE] })
    const result = await postForm(token(), codeRequest(client, code), client.auth.headers)
    expect(result.status, result.text).toBe(200)
    const jwt = stringMember(result, 'access_token')
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'at-1', typ: 'at+jwt' })
    const keys = createRemoteJWKSet(new URL(`${server.issuer}/jwks`))
    const { payload } = await jwtVerify(jwt, keys, {
      issuer: server.issuer,
      audience: RESOURCE,
      typ: 'at+jwt',
    })
    expect(payload).toEqual({
      iss: server.issuer,
      sub: user.id,
      aud: RESOURCE,
      client_id: client.clientId,
      scope: 'read write',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    })
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600)
    // The refresh token stays opaque.
    expect(stringMember(result, 'refresh_token').split('.')).toHaveLength(1)
  })

  it('RFC 9068 §2.2: a client_credentials token names the client as sub and, with no resource, the issuer as aud', async () => {
    const client = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
    const result = await postForm(
      token(),
      { grant_type: 'client_credentials' },
      client.auth.headers,
    )
    const keys = createRemoteJWKSet(new URL(`${server.issuer}/jwks`))
    const { payload } = await jwtVerify(stringMember(result, 'access_token'), keys, {
      audience: server.issuer,
    })
    expect(payload.sub).toBe(client.clientId)
    expect(payload.client_id).toBe(client.clientId)
  })

  it('issue #4 §5: a JWT access token is recorded by its hash, so revocation reaches introspection', async () => {
    const client = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
    const result = await postForm(
      token(),
      { grant_type: 'client_credentials' },
      client.auth.headers,
    )
    const jwt = stringMember(result, 'access_token')
    expect(await storedToken(server.store, jwt)).toMatchObject({ kind: 'access' })
    const before = await postForm(
      `${server.issuer}/introspect`,
      { token: jwt },
      client.auth.headers,
    )
    expect(before.json?.active).toBe(true)
    expect(before.json?.aud).toBe(server.issuer)
    await postForm(`${server.issuer}/revoke`, { token: jwt }, client.auth.headers)
    const after = await postForm(`${server.issuer}/introspect`, { token: jwt }, client.auth.headers)
    expect(after.json).toEqual({ active: false })
  })

  function token(): string {
    return `${server.issuer}/token`
  }
})

describe('opaque access tokens (the default)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.close()
  })

  it('no signing key: GET /jwks is not served', async () => {
    expect((await send(`${server.issuer}/jwks`)).status).toBe(404)
  })

  it('issue #4 §5: the access token is 256 random bits, not a JWT', async () => {
    const client = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
    const result = await postForm(
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      client.auth.headers,
    )
    // Time digits (time-keyed-token.ts), then the 256 random bits.
    const token = stringMember(result, 'access_token')
    expect(token).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(token.slice(12), 'base64url')).toHaveLength(32)
  })
})
