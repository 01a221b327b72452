import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '../../src/core/crypto/hash-secret.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { FormValues, TestClient, TestUser } from '../support/token-helpers.js'
import {
  basic,
  codeRequest,
  createTestClient,
  createTestCode,
  createTestUser,
  postForm,
  random,
  stringMember,
} from '../support/token-helpers.js'

const MCP = 'https://mcp.example.com/mcp'

describe('POST /introspect (RFC 7662)', () => {
  let server: TestServer
  let user: TestUser
  beforeAll(async () => {
    server = await startTestServer()
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  async function tokensFor(resources: readonly string[] = []) {
    const client = await createTestClient(server.store, { scope: 'read write' })
    const code = await createTestCode(server.store, client, user, { resources })
    const result = await postForm(
      `${server.url}/token`,
      codeRequest(client, code),
      client.auth.headers,
    )
    return {
      client,
      access: stringMember(result, 'access_token'),
      refresh: stringMember(result, 'refresh_token'),
    }
  }

  function introspect(caller: TestClient, form: FormValues): Promise<HttpResult> {
    return postForm(
      `${server.url}/introspect`,
      { ...caller.auth.form, ...form },
      caller.auth.headers,
    )
  }

  function resourceServer(resource: string): Promise<TestClient> {
    return createTestClient(server.store, {
      grantTypes: ['client_credentials'],
      resourceServer: resource,
    })
  }

  it('R7662-02: a client introspecting its own active access token gets every member, with no-store', async () => {
    const { client, access } = await tokensFor([MCP])
    const before = nowSeconds()
    const result = await introspect(client, { token: access })
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    expect(result.headers.get('cache-control')).toBe('no-store')
    expect(result.headers.get('pragma')).toBe('no-cache')
    expect(result.json).toEqual({
      active: true,
      scope: 'read write',
      client_id: client.clientId,
      username: user.username,
      sub: user.id,
      aud: MCP,
      iss: server.issuer,
      exp: expect.any(Number),
      iat: expect.any(Number),
      token_type: 'Bearer',
    })
    expect(result.json?.iat).toBeLessThanOrEqual(before)
    expect(Number(result.json?.exp) - Number(result.json?.iat)).toBe(3600)
  })

  it('R7662-02: a refresh token reads token_type refresh_token', async () => {
    const { client, refresh } = await tokensFor()
    const result = await introspect(client, { token: refresh })
    expect(result.json).toMatchObject({ active: true, token_type: 'refresh_token' })
  })

  it('R7662-06: a wrong token_type_hint does not stop the search', async () => {
    const { client, refresh } = await tokensFor()
    const result = await introspect(client, { token: refresh, token_type_hint: 'access_token' })
    expect(result.json?.active).toBe(true)
  })

  it('a client_credentials token: sub is the client, no username, aud the issuer', async () => {
    const client = await createTestClient(server.store, { grantTypes: ['client_credentials'] })
    const issued = await postForm(
      `${server.url}/token`,
      { grant_type: 'client_credentials' },
      client.auth.headers,
    )
    const result = await introspect(client, { token: stringMember(issued, 'access_token') })
    expect(result.json).toMatchObject({ active: true, sub: client.clientId, aud: server.issuer })
    expect(result.json).not.toHaveProperty('username')
  })

  describe('R7662-03: inactive tokens read {"active": false} and nothing else', () => {
    it('an unknown token', async () => {
      const { client } = await tokensFor()
      expect((await introspect(client, { token: random() })).json).toEqual({ active: false })
    })

    it('a revoked token', async () => {
      const { client, access } = await tokensFor()
      await postForm(`${server.url}/revoke`, { token: access }, client.auth.headers)
      expect((await introspect(client, { token: access })).json).toEqual({ active: false })
    })

    it('an expired token', async () => {
      const client = await createTestClient(server.store)
      const expired = random()
      const now = nowSeconds()
      await server.store.createTokens([
        {
          tokenHash: hashSecret(expired),
          kind: 'access',
          clientId: client.clientId,
          userId: null,
          scope: 'read',
          resources: [],
          grantId: random(),
          issuedAt: now - 3601,
          expiresAt: now - 1,
          revokedAt: null,
          rotatedAt: null,
        },
      ])
      expect((await introspect(client, { token: expired })).json).toEqual({ active: false })
    })

    it('a refresh token already rotated', async () => {
      const { client, refresh } = await tokensFor()
      const rotated = await postForm(
        `${server.url}/token`,
        { grant_type: 'refresh_token', refresh_token: refresh },
        client.auth.headers,
      )
      expect(rotated.status).toBe(200)
      expect((await introspect(client, { token: refresh })).json).toEqual({ active: false })
    })

    it("A24: another (ordinary) client's token", async () => {
      const { access } = await tokensFor()
      const other = await createTestClient(server.store)
      expect((await introspect(other, { token: access })).json).toEqual({ active: false })
    })

    it('issue #4 §5: the token of a deleted client, at once', async () => {
      const { client, access } = await tokensFor([MCP])
      const rs = await resourceServer(MCP)
      expect((await introspect(rs, { token: access })).json?.active).toBe(true)
      await server.store.deleteClient(client.clientId)
      expect((await introspect(rs, { token: access })).json).toEqual({ active: false })
    })
  })

  describe('A24: resource servers see the access tokens meant for them', () => {
    it('a resource-server client sees an access token whose audience names its resource', async () => {
      const { client, access } = await tokensFor([MCP, 'https://other.example'])
      const rs = await resourceServer(MCP)
      const result = await introspect(rs, { token: access })
      expect(result.json).toMatchObject({
        active: true,
        client_id: client.clientId,
        aud: [MCP, 'https://other.example'],
      })
    })

    it('its resource is compared canonically (upper-case host)', async () => {
      const { access } = await tokensFor([MCP])
      const rs = await resourceServer('https://MCP.example.com/mcp')
      expect((await introspect(rs, { token: access })).json?.active).toBe(true)
    })

    it('a resource server for another resource reads active false', async () => {
      const { access } = await tokensFor([MCP])
      const rs = await resourceServer('https://elsewhere.example')
      expect((await introspect(rs, { token: access })).json).toEqual({ active: false })
    })

    it('a resource server never sees refresh tokens, even of its own audience', async () => {
      const { refresh } = await tokensFor([MCP])
      const rs = await resourceServer(MCP)
      expect((await introspect(rs, { token: refresh })).json).toEqual({ active: false })
    })
  })

  describe('R7662-01: the caller must authenticate', () => {
    it('no credentials → 401 invalid_client with WWW-Authenticate', async () => {
      const { access } = await tokensFor()
      const result = await postForm(`${server.url}/introspect`, { token: access })
      expectOAuthError(result, 401, 'invalid_client')
      expect(result.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
    })

    it('a wrong secret by Basic → 401 invalid_client with WWW-Authenticate', async () => {
      const { client, access } = await tokensFor()
      const result = await postForm(
        `${server.url}/introspect`,
        { token: access },
        basic(client.clientId, 'wrong'),
      )
      expectOAuthError(result, 401, 'invalid_client')
      expect(result.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
    })

    it('a public client, which proves nothing by its client_id → 401 invalid_client', async () => {
      const client = await createTestClient(server.store, { method: 'none' })
      const result = await introspect(client, { token: random() })
      expectOAuthError(result, 401, 'invalid_client')
    })
  })

  it('R7662-05: a missing token → 400 invalid_request', async () => {
    const { client } = await tokensFor()
    expectOAuthError(await introspect(client, {}), 400, 'invalid_request')
  })

  it('no CORS: resource servers are not browsers', async () => {
    const { client, access } = await tokensFor()
    const result = await postForm(
      `${server.url}/introspect`,
      { token: access },
      { ...client.auth.headers, Origin: 'https://spa.example' },
    )
    expect(result.headers.get('access-control-allow-origin')).toBeNull()
    const get = await send(`${server.url}/introspect`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })
})
