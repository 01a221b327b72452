import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOAuthError, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestUser } from '../support/token-helpers.js'
import {
  basic,
  createTestClient,
  createTestUser,
  postForm,
  random,
  storedToken,
} from '../support/token-helpers.js'

describe('POST /token: client_credentials, unsupported grants, request format', () => {
  let server: TestServer
  let token: string
  beforeAll(async () => {
    server = await startTestServer()
    token = `${server.url}/token`
  })
  afterAll(async () => {
    await server.close()
  })

  describe('grant_type=client_credentials (RFC 6749 §4.4)', () => {
    it('a client registered for it → 200 with its registered scope, no refresh_token, no user', async () => {
      const c = await createTestClient(server.store, {
        grantTypes: ['client_credentials', 'refresh_token'],
        scope: 'read write',
      })
      const result = await postForm(token, { grant_type: 'client_credentials' }, c.auth.headers)
      expect(result.status, result.text).toBe(200)
      expect(result.headers.get('cache-control')).toBe('no-store')
      expect(result.headers.get('pragma')).toBe('no-cache')
      expect(result.json).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'read write',
      })
      expect(await storedToken(server.store, result.json?.access_token)).toMatchObject({
        kind: 'access',
        clientId: c.clientId,
        userId: null,
      })
    })

    it('RFC 6749 §3.3: a narrower scope is granted as asked; one outside the registration → invalid_scope', async () => {
      const c = await createTestClient(server.store, {
        grantTypes: ['client_credentials'],
        scope: 'read write',
      })
      const narrow = await postForm(
        token,
        { grant_type: 'client_credentials', scope: 'write' },
        c.auth.headers,
      )
      expect(narrow.json?.scope).toBe('write')
      const wider = await postForm(
        token,
        { grant_type: 'client_credentials', scope: 'read admin' },
        c.auth.headers,
      )
      expectOAuthError(wider, 400, 'invalid_scope')
    })

    it('RFC 8707 §2: resource binds the token audience; several may be sent', async () => {
      const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
      const result = await postForm(
        token,
        { grant_type: 'client_credentials', resource: ['https://b.example/', 'https://a.example'] },
        c.auth.headers,
      )
      expect(result.status, result.text).toBe(200)
      expect((await storedToken(server.store, result.json?.access_token))?.resources).toEqual([
        'https://a.example',
        'https://b.example',
      ])
      expectOAuthError(
        await postForm(
          token,
          { grant_type: 'client_credentials', resource: 'https://a.example#f' },
          c.auth.headers,
        ),
        400,
        'invalid_target',
      )
    })

    it('R6749-10: a client not registered for client_credentials → unauthorized_client', async () => {
      const c = await createTestClient(server.store)
      const result = await postForm(token, { grant_type: 'client_credentials' }, c.auth.headers)
      expectOAuthError(result, 400, 'unauthorized_client')
    })

    it('R21-10: a public client → unauthorized_client even if its record lists the grant', async () => {
      const c = await createTestClient(server.store, {
        method: 'none',
        grantTypes: ['client_credentials'],
      })
      const result = await postForm(token, {
        grant_type: 'client_credentials',
        client_id: c.clientId,
      })
      expectOAuthError(result, 400, 'unauthorized_client')
    })
  })

  describe('R6749-10: grant types the server does not offer', () => {
    it.each([
      'urn:example:unknown',
      'implicit',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
    ])('grant_type=%s → unsupported_grant_type', async (grantType) => {
      const c = await createTestClient(server.store)
      expectOAuthError(
        await postForm(token, { grant_type: grantType }, c.auth.headers),
        400,
        'unsupported_grant_type',
      )
    })

    it('R9700-08: password is off by default → unsupported_grant_type, even for a client registered for it', async () => {
      const c = await createTestClient(server.store, { grantTypes: ['password'] })
      const result = await postForm(
        token,
        { grant_type: 'password', username: 'u', password: 'p' },
        c.auth.headers,
      )
      expectOAuthError(result, 400, 'unsupported_grant_type')
    })

    it('a missing grant_type → invalid_request', async () => {
      const c = await createTestClient(server.store)
      expectOAuthError(await postForm(token, {}, c.auth.headers), 400, 'invalid_request')
    })
  })

  describe('the request itself (RFC 6749 §3.2, OAuth 2.1 §3.2)', () => {
    it('R21-04: a parameter sent twice → invalid_request', async () => {
      const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
      const result = await postForm(
        token,
        { grant_type: ['client_credentials', 'client_credentials'] },
        c.auth.headers,
      )
      expectOAuthError(result, 400, 'invalid_request')
    })

    it('R21-04: an empty value counts as omitted; unknown parameters are ignored', async () => {
      const c = await createTestClient(server.store, {
        grantTypes: ['client_credentials'],
        scope: 'read',
      })
      const result = await postForm(
        token,
        { grant_type: 'client_credentials', scope: '', resource: '', foo: 'bar' },
        c.auth.headers,
      )
      expect(result.status, result.text).toBe(200)
      expect(result.json?.scope).toBe('read')
    })

    it.each([
      ['application/json', '{"grant_type":"client_credentials"}'],
      ['text/plain', 'grant_type=client_credentials'],
    ])('a %s body → 415 invalid_request', async (type, body) => {
      const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
      const result = await send(token, {
        method: 'POST',
        headers: { 'Content-Type': type, ...c.auth.headers },
        body,
      })
      expectOAuthError(result, 415, 'invalid_request')
      expect(result.headers.get('cache-control')).toBe('no-store')
    })

    it('a form body with a charset parameter is accepted', async () => {
      const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
      const result = await send(token, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
          ...c.auth.headers,
        },
        body: 'grant_type=client_credentials',
      })
      expect(result.status, result.text).toBe(200)
    })

    it('a body over 64 KiB → 413 invalid_request', async () => {
      const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
      const result = await postForm(
        token,
        { grant_type: 'client_credentials', padding: 'x'.repeat(70_000) },
        c.auth.headers,
      )
      expectOAuthError(result, 413, 'invalid_request')
    })

    it('RFC 9700 §2.6: CORS for browser clients: a preflight and Access-Control-Allow-Origin on answers', async () => {
      const preflight = await send(token, {
        method: 'OPTIONS',
        headers: { Origin: 'https://spa.example', 'Access-Control-Request-Method': 'POST' },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
      const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
      const result = await postForm(
        token,
        { grant_type: 'client_credentials' },
        {
          ...c.auth.headers,
          Origin: 'https://spa.example',
        },
      )
      expect(result.headers.get('access-control-allow-origin')).toBe('*')
      expect(result.headers.get('access-control-allow-credentials')).toBeNull()
    })
  })
})

describe('grant_type=password when options.authorization.password is on (RFC 6749 §4.3)', () => {
  let server: TestServer
  let token: string
  let user: TestUser
  beforeAll(async () => {
    server = await startTestServer({ authorization: { password: true } })
    token = `${server.url}/token`
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  it('a registered client with the right password → 200 with a refresh_token bound to the user', async () => {
    const c = await createTestClient(server.store, { grantTypes: ['password', 'refresh_token'] })
    const result = await postForm(
      token,
      { grant_type: 'password', username: user.username, password: user.password, scope: 'read' },
      c.auth.headers,
    )
    expect(result.status, result.text).toBe(200)
    expect(result.json?.scope).toBe('read')
    expect(typeof result.json?.refresh_token).toBe('string')
    expect((await storedToken(server.store, result.json?.access_token))?.userId).toBe(user.id)
    const refreshed = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: String(result.json?.refresh_token) },
      c.auth.headers,
    )
    expect(refreshed.status, refreshed.text).toBe(200)
  })

  it.each([
    ['a wrong password', () => ({ username: user.username, password: 'wrong' })],
    ['an unknown user', () => ({ username: `nobody-${random()}`, password: 'whatever' })],
  ])('%s → invalid_grant', async (_name, credentials) => {
    const c = await createTestClient(server.store, { grantTypes: ['password'] })
    const result = await postForm(
      token,
      { grant_type: 'password', ...credentials() },
      c.auth.headers,
    )
    expectOAuthError(result, 400, 'invalid_grant')
  })

  it('RFC 6749 §4.3.2: a missing password → invalid_request', async () => {
    const c = await createTestClient(server.store, { grantTypes: ['password'] })
    const result = await postForm(
      token,
      { grant_type: 'password', username: user.username },
      c.auth.headers,
    )
    expectOAuthError(result, 400, 'invalid_request')
  })

  it('R6749-10: a client not registered for password → unauthorized_client', async () => {
    const c = await createTestClient(server.store)
    const result = await postForm(
      token,
      { grant_type: 'password', username: user.username, password: user.password },
      basic(c.clientId, c.secret ?? ''),
    )
    expectOAuthError(result, 400, 'unauthorized_client')
  })
})

describe('RFC 6749 §4.3.2: the password grant is protected against brute force', () => {
  let server: TestServer
  let user: TestUser
  beforeAll(async () => {
    server = await startTestServer({
      authorization: { password: true, loginThrottle: { max: 2, windowSeconds: 900 } },
    })
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  it('after too many wrong passwords the username is locked: even the right one → invalid_grant with Retry-After', async () => {
    const c = await createTestClient(server.store, { grantTypes: ['password'] })
    const attempt = (password: string) =>
      postForm(
        `${server.url}/token`,
        { grant_type: 'password', username: user.username, password },
        c.auth.headers,
      )
    expectOAuthError(await attempt('wrong-1'), 400, 'invalid_grant')
    expectOAuthError(await attempt('wrong-2'), 400, 'invalid_grant')
    const third = await attempt('wrong-3')
    expectOAuthError(third, 400, 'invalid_grant')
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    const right = await attempt(user.password)
    expectOAuthError(right, 400, 'invalid_grant')
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('an issuer with a path serves the token endpoint under it (RFC 8414 §3)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ issuerPath: '/tenant' })
  })
  afterAll(async () => {
    await server.close()
  })

  it('POST {issuer}/token works; POST /token is not there', async () => {
    const c = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
    const form = { grant_type: 'client_credentials' }
    expect((await postForm(`${server.issuer}/token`, form, c.auth.headers)).status).toBe(200)
    expect((await postForm(`${server.url}/token`, form, c.auth.headers)).status).toBe(404)
  })
})
