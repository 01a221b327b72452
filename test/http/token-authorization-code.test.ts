import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOAuthError, nowSeconds } from '../support/http-helpers.js'
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

describe('POST /token grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
  let server: TestServer
  let user: TestUser
  let token: string
  beforeAll(async () => {
    server = await startTestServer()
    token = `${server.url}/token`
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  it('R6749-07: a valid code → 200 JSON with access_token, Bearer, expires_in, scope, refresh_token, no-store', async () => {
    const client = await createTestClient(server.store, { scope: 'read write' })
    const code = await createTestCode(server.store, client, user)
    const result = await postForm(token, codeRequest(client, code), client.auth.headers)
    expect(result.status, result.text).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    expect(result.headers.get('cache-control')).toBe('no-store')
    expect(result.headers.get('pragma')).toBe('no-cache')
    expect(result.json).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read write',
      refresh_token: expect.any(String),
    })
    const access = await storedToken(server.store, result.json?.access_token)
    expect(access).toMatchObject({
      kind: 'access',
      clientId: client.clientId,
      userId: user.id,
      grantId: code.grantId,
      scope: 'read write',
    })
    // Issue #4 §5: stored only as hashes.
    const bytes = (await server.databaseBytes()).toString('latin1')
    expect(bytes).not.toContain(stringMember(result, 'access_token'))
    expect(bytes).not.toContain(stringMember(result, 'refresh_token'))
  })

  it('RMCP-01: a public client (none) redeems its code with PKCE alone', async () => {
    const client = await createTestClient(server.store, { method: 'none' })
    const code = await createTestCode(server.store, client, user)
    const result = await postForm(token, codeRequest(client, code))
    expect(result.status, result.text).toBe(200)
  })

  it('a client without the refresh_token grant gets no refresh_token (RFC 9700 §4.14.2)', async () => {
    const client = await createTestClient(server.store, { grantTypes: ['authorization_code'] })
    const code = await createTestCode(server.store, client, user)
    const result = await postForm(token, codeRequest(client, code), client.auth.headers)
    expect(result.status, result.text).toBe(200)
    expect(result.json).not.toHaveProperty('refresh_token')
  })

  it('R6749-15 / R21-13: a code used twice → invalid_grant, and the tokens issued from it are revoked', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    const first = await postForm(token, codeRequest(client, code), client.auth.headers)
    expect(first.status, first.text).toBe(200)
    const second = await postForm(token, codeRequest(client, code), client.auth.headers)
    expectOAuthError(second, 400, 'invalid_grant')
    expect(second.headers.get('cache-control')).toBe('no-store')
    expect((await storedToken(server.store, first.json?.access_token))?.revokedAt).not.toBeNull()
    const refresh = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: stringMember(first, 'refresh_token') },
      client.auth.headers,
    )
    expectOAuthError(refresh, 400, 'invalid_grant')
  })

  it('R21-13: a replay with a wrong code_verifier → invalid_grant and revokes nothing', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    const first = await postForm(token, codeRequest(client, code), client.auth.headers)
    expect(first.status, first.text).toBe(200)
    const replay = await postForm(
      token,
      { ...codeRequest(client, code), code_verifier: 'x'.repeat(43) },
      client.auth.headers,
    )
    expectOAuthError(replay, 400, 'invalid_grant')
    expect((await storedToken(server.store, first.json?.access_token))?.revokedAt).toBeNull()
  })

  it('10 concurrent redemptions of one code → exactly one 200, the others invalid_grant', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        postForm(token, codeRequest(client, code), client.auth.headers),
      ),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    for (const result of results.filter((r) => r.status !== 200)) {
      expectOAuthError(result, 400, 'invalid_grant')
    }
  })

  it.each([
    ['missing (R9700-06, A20)', null],
    ['wrong (R7636-04)', 'W'.repeat(43)],
    ['too short (RFC 7636 §4.1: 43 characters at least)', 'a'.repeat(42)],
    ['holding characters outside the unreserved set', `${'a'.repeat(42)}=`],
  ])(
    'a code_verifier %s → invalid_grant, no tokens, and the code is spent',
    async (_name, verifier) => {
      const client = await createTestClient(server.store)
      const code = await createTestCode(server.store, client, user)
      const { code_verifier: _right, ...rest } = codeRequest(client, code)
      const result = await postForm(
        token,
        verifier === null ? rest : { ...rest, code_verifier: verifier },
        client.auth.headers,
      )
      expectOAuthError(result, 400, 'invalid_grant')
      expect(result.json).not.toHaveProperty('access_token')
      // The failed attempt consumed the code: nobody gets a second guess at the verifier.
      const retry = await postForm(token, codeRequest(client, code), client.auth.headers)
      expectOAuthError(retry, 400, 'invalid_grant')
    },
  )

  it('R9700-05: a code_verifier for a code is checked against its own challenge, never skipped', async () => {
    // Every code carries an S256 challenge (docs/decisions.md A19), so the downgrade (a verifier sent for a
    // code issued without one) cannot arise; what remains is that another code's verifier fails.
    const client = await createTestClient(server.store)
    const a = await createTestCode(server.store, client, user)
    const b = await createTestCode(server.store, client, user)
    const result = await postForm(
      token,
      { ...codeRequest(client, a), code_verifier: b.verifier },
      client.auth.headers,
    )
    expectOAuthError(result, 400, 'invalid_grant')
  })

  it('R21-09: redirect_uri sent in the authorization request is required at the token endpoint', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user, { redirectUriInRequest: true })
    const { redirect_uri: _uri, ...rest } = codeRequest(client, code)
    expectOAuthError(await postForm(token, rest, client.auth.headers), 400, 'invalid_grant')
  })

  it.each([
    ['a trailing slash', 'https://client.example/callback/'],
    ['another path', 'https://client.example/other'],
    ['upper-case host', 'https://CLIENT.example/callback'],
  ])('R21-09: a redirect_uri differing by %s → invalid_grant', async (_name, uri) => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    const result = await postForm(
      token,
      { ...codeRequest(client, code), redirect_uri: uri },
      client.auth.headers,
    )
    expectOAuthError(result, 400, 'invalid_grant')
  })

  it('RFC 6749 §4.1.3: without redirect_uri in the authorization request, the token request may omit it', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user, { redirectUriInRequest: false })
    const { redirect_uri: _uri, ...rest } = codeRequest(client, code)
    const result = await postForm(token, rest, client.auth.headers)
    expect(result.status, result.text).toBe(200)
  })

  it('R6749-09: a code issued to client A and redeemed by client B → invalid_grant', async () => {
    const a = await createTestClient(server.store)
    const b = await createTestClient(server.store)
    const code = await createTestCode(server.store, a, user)
    const result = await postForm(
      token,
      { ...codeRequest(b, code), code_verifier: code.verifier },
      b.auth.headers,
    )
    expectOAuthError(result, 400, 'invalid_grant')
  })

  it('R21-06: an expired code → invalid_grant', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user, { expiresAt: nowSeconds() - 1 })
    expectOAuthError(
      await postForm(token, codeRequest(client, code), client.auth.headers),
      400,
      'invalid_grant',
    )
  })

  it('an unknown code → invalid_grant; a missing code → invalid_request', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    expectOAuthError(
      await postForm(token, { ...codeRequest(client, code), code: 'nope' }, client.auth.headers),
      400,
      'invalid_grant',
    )
    const { code: _code, ...rest } = codeRequest(client, code)
    expectOAuthError(await postForm(token, rest, client.auth.headers), 400, 'invalid_request')
  })

  it('R6749-10: a client not registered for authorization_code → unauthorized_client', async () => {
    const owner = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
    const code = await createTestCode(server.store, owner, user)
    const result = await postForm(token, codeRequest(owner, code), owner.auth.headers)
    expectOAuthError(result, 400, 'unauthorized_client')
  })

  describe('RFC 8707 §2.2: resource at the token endpoint', () => {
    const A = 'https://a.example/mcp'
    const B = 'https://b.example'

    it('R8707-04: narrows the access token to one granted resource; the refresh token keeps all', async () => {
      const client = await createTestClient(server.store)
      const code = await createTestCode(server.store, client, user, { resources: [A, B] })
      const result = await postForm(
        token,
        { ...codeRequest(client, code), resource: A },
        client.auth.headers,
      )
      expect(result.status, result.text).toBe(200)
      expect((await storedToken(server.store, result.json?.access_token))?.resources).toEqual([A])
      expect((await storedToken(server.store, result.json?.refresh_token))?.resources).toEqual([
        A,
        B,
      ])
    })

    it('RMCP-10: the same resource in both requests, with upper-case host, is accepted', async () => {
      const client = await createTestClient(server.store)
      const code = await createTestCode(server.store, client, user, { resources: [A] })
      const result = await postForm(
        token,
        { ...codeRequest(client, code), resource: 'https://A.EXAMPLE/mcp' },
        client.auth.headers,
      )
      expect(result.status, result.text).toBe(200)
      expect((await storedToken(server.store, result.json?.access_token))?.resources).toEqual([A])
    })

    it('without resource, the access token covers the whole grant', async () => {
      const client = await createTestClient(server.store)
      const code = await createTestCode(server.store, client, user, { resources: [A, B] })
      const result = await postForm(token, codeRequest(client, code), client.auth.headers)
      expect((await storedToken(server.store, result.json?.access_token))?.resources).toEqual([
        A,
        B,
      ])
    })

    it.each([
      ['a resource not granted', [A], 'https://c.example'],
      ['any resource when none was granted', [], A],
      ['a resource with a fragment (R8707-01)', [A], `${A}#x`],
      ['a relative resource (R8707-01)', [A], 'a.example/mcp'],
    ])('%s → invalid_target', async (_name, granted, requested) => {
      const client = await createTestClient(server.store)
      const code = await createTestCode(server.store, client, user, { resources: granted })
      const result = await postForm(
        token,
        { ...codeRequest(client, code), resource: requested },
        client.auth.headers,
      )
      expectOAuthError(result, 400, 'invalid_target')
    })
  })
})
