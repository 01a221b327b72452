import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { ClientOptions, FormValues, TestClient, TestUser } from '../support/token-helpers.js'
import {
  basic,
  codeRequest,
  createTestClient,
  createTestCode,
  createTestUser,
  postForm,
  random,
  storedToken,
  stringMember,
} from '../support/token-helpers.js'

describe('POST /revoke (RFC 7009)', () => {
  let server: TestServer
  let user: TestUser
  beforeAll(async () => {
    server = await startTestServer()
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  async function tokensFor(options: ClientOptions = {}) {
    const client = await createTestClient(server.store, options)
    const code = await createTestCode(server.store, client, user)
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

  function revoke(client: TestClient, form: FormValues): Promise<HttpResult> {
    return postForm(`${server.url}/revoke`, { ...client.auth.form, ...form }, client.auth.headers)
  }

  function refresh(client: TestClient, refreshToken: string): Promise<HttpResult> {
    return postForm(
      `${server.url}/token`,
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...client.auth.form },
      client.auth.headers,
    )
  }

  it('R7009-01: revoking an access token → 200 with no-store; the token is revoked, the refresh token is not', async () => {
    const { client, access, refresh: rt } = await tokensFor()
    const result = await revoke(client, { token: access, token_type_hint: 'access_token' })
    expect(result.status).toBe(200)
    expect(result.text).toBe('')
    expect(result.headers.get('cache-control')).toBe('no-store')
    expect(result.headers.get('pragma')).toBe('no-cache')
    expect((await storedToken(server.store, access))?.revokedAt).not.toBeNull()
    expect((await refresh(client, rt)).status).toBe(200)
  })

  it('R7009-05: revoking a refresh token revokes its whole grant: refreshing fails, the access token dies', async () => {
    const { client, access, refresh: rt } = await tokensFor()
    expect((await revoke(client, { token: rt })).status).toBe(200)
    expectOAuthError(await refresh(client, rt), 400, 'invalid_grant')
    expect((await storedToken(server.store, access))?.revokedAt).not.toBeNull()
  })

  it('R7009-06: a wrong token_type_hint is ignored: a refresh token hinted as access_token is revoked', async () => {
    const { client, refresh: rt } = await tokensFor()
    expect((await revoke(client, { token: rt, token_type_hint: 'access_token' })).status).toBe(200)
    expectOAuthError(await refresh(client, rt), 400, 'invalid_grant')
  })

  it('R7009-06: an unknown token_type_hint value is ignored too', async () => {
    const { client, access } = await tokensFor()
    expect((await revoke(client, { token: access, token_type_hint: 'id_token' })).status).toBe(200)
    expect((await storedToken(server.store, access))?.revokedAt).not.toBeNull()
  })

  it('R7009-02: an unknown token, or one already revoked → 200', async () => {
    const { client, access } = await tokensFor()
    expect((await revoke(client, { token: random() })).status).toBe(200)
    expect((await revoke(client, { token: access })).status).toBe(200)
    expect((await revoke(client, { token: access })).status).toBe(200)
  })

  it("R7009-07 / A23: another client's token → 200, and the token stays valid", async () => {
    const owner = await tokensFor()
    const other = await createTestClient(server.store)
    expect((await revoke(other, { token: owner.refresh })).status).toBe(200)
    expect((await revoke(other, { token: owner.access })).status).toBe(200)
    expect((await storedToken(server.store, owner.access))?.revokedAt).toBeNull()
    expect((await refresh(owner.client, owner.refresh)).status).toBe(200)
  })

  it('RFC 7009 §2.1: a public client revokes its own token with its client_id', async () => {
    const { client, refresh: rt } = await tokensFor({ method: 'none' })
    expect((await revoke(client, { token: rt })).status).toBe(200)
    expectOAuthError(await refresh(client, rt), 400, 'invalid_grant')
  })

  it('R7009-03: a missing token → 400 invalid_request', async () => {
    const client = await createTestClient(server.store)
    expectOAuthError(await revoke(client, {}), 400, 'invalid_request')
  })

  it('R7009-04: failed client authentication by Basic → 401 invalid_client with WWW-Authenticate, token intact', async () => {
    const { client, access } = await tokensFor()
    const result = await postForm(
      `${server.url}/revoke`,
      { token: access },
      basic(client.clientId, 'wrong'),
    )
    expectOAuthError(result, 401, 'invalid_client')
    expect(result.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
    expect((await storedToken(server.store, access))?.revokedAt).toBeNull()
  })

  it('R6749-04: two authentication methods → 400 invalid_request', async () => {
    const { client, access } = await tokensFor()
    const result = await postForm(
      `${server.url}/revoke`,
      { token: access, client_secret: client.secret ?? '' },
      client.auth.headers,
    )
    expectOAuthError(result, 400, 'invalid_request')
  })

  it('GET → 405 with Allow; OPTIONS → CORS preflight', async () => {
    const get = await send(`${server.url}/revoke`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toContain('POST')
    const preflight = await send(`${server.url}/revoke`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
  })
})
