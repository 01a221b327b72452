import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '../../src/core/crypto/hash-secret.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { ClientOptions, CodeOptions, TestClient, TestUser } from '../support/token-helpers.js'
import {
  codeRequest,
  createTestClient,
  createTestCode,
  createTestUser,
  postForm,
  random,
  storedToken,
  stringMember,
} from '../support/token-helpers.js'

const A = 'https://a.example/mcp'
const B = 'https://b.example'

describe('POST /token grant_type=refresh_token (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
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

  /** A client and the first token response of its authorization code. */
  async function start(
    clientOptions: ClientOptions = {},
    codeOptions: CodeOptions = {},
  ): Promise<{ client: TestClient; first: HttpResult }> {
    const client = await createTestClient(server.store, clientOptions)
    const code = await createTestCode(server.store, client, user, codeOptions)
    const first = await postForm(token, codeRequest(client, code), client.auth.headers)
    if (first.status !== 200) throw new Error(`code grant failed: ${first.text}`)
    return { client, first }
  }

  function refresh(
    client: TestClient,
    refreshToken: string,
    extra: Record<string, string | readonly string[]> = {},
  ): Promise<HttpResult> {
    return postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...client.auth.form, ...extra },
      client.auth.headers,
    )
  }

  it('R9700-09: each refresh returns a new refresh_token, with no-store', async () => {
    const { client, first } = await start()
    const second = await refresh(client, stringMember(first, 'refresh_token'))
    expect(second.status, second.text).toBe(200)
    expect(second.headers.get('cache-control')).toBe('no-store')
    expect(second.headers.get('pragma')).toBe('no-cache')
    expect(second.json).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read write',
      refresh_token: expect.any(String),
    })
    expect(second.json?.refresh_token).not.toBe(first.json?.refresh_token)
    expect(second.json?.access_token).not.toBe(first.json?.access_token)
  })

  it.each([
    ['a confidential client', {}],
    ['RMCP-05: a public client', { method: 'none' }],
  ] as const)(
    'R9700-09 for %s: the old token reused → invalid_grant, and the whole family is revoked',
    async (_name, options) => {
      const { client, first } = await start(options)
      const second = await refresh(client, stringMember(first, 'refresh_token'))
      expect(second.status, second.text).toBe(200)
      const reuse = await refresh(client, stringMember(first, 'refresh_token'))
      expectOAuthError(reuse, 400, 'invalid_grant')
      // The newest token of the family dies too, and the access tokens with it.
      expectOAuthError(
        await refresh(client, stringMember(second, 'refresh_token')),
        400,
        'invalid_grant',
      )
      expect((await storedToken(server.store, second.json?.access_token))?.revokedAt).not.toBeNull()
      expect((await storedToken(server.store, first.json?.access_token))?.revokedAt).not.toBeNull()
    },
  )

  it('10 concurrent refreshes with one token → exactly one 200, and the reuse revokes the family', async () => {
    const { client, first } = await start()
    const results = await Promise.all(
      Array.from({ length: 10 }, () => refresh(client, stringMember(first, 'refresh_token'))),
    )
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    for (const result of results.filter((r) => r.status !== 200)) {
      expectOAuthError(result, 400, 'invalid_grant')
    }
    const winner = winners[0]
    if (winner === undefined) throw new Error('no winner')
    expectOAuthError(
      await refresh(client, stringMember(winner, 'refresh_token')),
      400,
      'invalid_grant',
    )
  })

  it('R21-11: a narrower scope gives a narrower access token; the new refresh token keeps the grant', async () => {
    const { client, first } = await start({ scope: 'read write' })
    const narrow = await refresh(client, stringMember(first, 'refresh_token'), { scope: 'read' })
    expect(narrow.status, narrow.text).toBe(200)
    expect(narrow.json?.scope).toBe('read')
    expect((await storedToken(server.store, narrow.json?.access_token))?.scope).toBe('read')
    const full = await refresh(client, stringMember(narrow, 'refresh_token'))
    expect(full.status, full.text).toBe(200)
    expect(full.json?.scope).toBe('read write')
  })

  it('R9700-10 / R21-11: a wider scope → invalid_scope, and the refresh token stays usable', async () => {
    const { client, first } = await start({ scope: 'read write' }, { scope: 'read' })
    const wider = await refresh(client, stringMember(first, 'refresh_token'), {
      scope: 'read write',
    })
    expectOAuthError(wider, 400, 'invalid_scope')
    const again = await refresh(client, stringMember(first, 'refresh_token'))
    expect(again.status, again.text).toBe(200)
    expect(again.json?.scope).toBe('read')
  })

  it('R8707-04: resource narrows within the grant; the new refresh token keeps every resource', async () => {
    const { client, first } = await start({}, { resources: [A, B] })
    const narrow = await refresh(client, stringMember(first, 'refresh_token'), { resource: B })
    expect(narrow.status, narrow.text).toBe(200)
    expect((await storedToken(server.store, narrow.json?.access_token))?.resources).toEqual([B])
    expect((await storedToken(server.store, narrow.json?.refresh_token))?.resources).toEqual([A, B])
  })

  it('R9700-10: a resource outside the grant → invalid_target, and the refresh token stays usable', async () => {
    const { client, first } = await start({}, { resources: [A] })
    const other = await refresh(client, stringMember(first, 'refresh_token'), {
      resource: 'https://c.example',
    })
    expectOAuthError(other, 400, 'invalid_target')
    expect((await refresh(client, stringMember(first, 'refresh_token'))).status).toBe(200)
  })

  it("R9700-11 / R21-12: client B presenting client A's refresh token → invalid_grant; A's token still works", async () => {
    const { client: a, first } = await start()
    const b = await createTestClient(server.store)
    expectOAuthError(await refresh(b, stringMember(first, 'refresh_token')), 400, 'invalid_grant')
    expect((await refresh(a, stringMember(first, 'refresh_token'))).status).toBe(200)
  })

  it('an access token presented as refresh_token → invalid_grant', async () => {
    const { client, first } = await start()
    expectOAuthError(
      await refresh(client, stringMember(first, 'access_token')),
      400,
      'invalid_grant',
    )
  })

  it('an unknown refresh token → invalid_grant; a missing one → invalid_request', async () => {
    const client = await createTestClient(server.store)
    expectOAuthError(await refresh(client, random()), 400, 'invalid_grant')
    const missing = await postForm(
      token,
      { grant_type: 'refresh_token', ...client.auth.form },
      client.auth.headers,
    )
    expectOAuthError(missing, 400, 'invalid_request')
  })

  it('an expired refresh token → invalid_grant', async () => {
    const client = await createTestClient(server.store)
    const refreshToken = random()
    const now = nowSeconds()
    await server.store.createTokens([
      {
        tokenHash: hashSecret(refreshToken),
        kind: 'refresh',
        clientId: client.clientId,
        userId: user.id,
        scope: 'read',
        resources: [],
        grantId: random(),
        issuedAt: now - 100,
        expiresAt: now - 1,
        revokedAt: null,
        rotatedAt: null,
      },
    ])
    expectOAuthError(await refresh(client, refreshToken), 400, 'invalid_grant')
  })

  it('R6749-10: a client no longer registered for refresh_token → unauthorized_client', async () => {
    const { client, first } = await start()
    const updated = {
      ...client.record,
      version: 2,
      metadata: { ...client.record.metadata, grant_types: ['authorization_code' as const] },
    }
    expect(await server.store.updateClient(updated, 1)).toBe(true)
    expectOAuthError(
      await refresh(client, stringMember(first, 'refresh_token')),
      400,
      'unauthorized_client',
    )
  })
})

describe('docs/decisions.md A22: tokens.refreshTokenReuseGraceSeconds absorbs a lost refresh response', () => {
  let server: TestServer
  let user: TestUser
  let token: string
  beforeAll(async () => {
    server = await startTestServer({ tokens: { refreshTokenReuseGraceSeconds: 60 } })
    token = `${server.url}/token`
    user = await createTestUser(server.store)
  })
  afterAll(async () => {
    await server.close()
  })

  it('the rotated token presented again within the grace period → 200 with a fresh pair, nothing revoked', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    const first = await postForm(token, codeRequest(client, code), client.auth.headers)
    const form = {
      grant_type: 'refresh_token',
      refresh_token: stringMember(first, 'refresh_token'),
    }
    const lost = await postForm(token, form, client.auth.headers)
    expect(lost.status, lost.text).toBe(200)
    const retry = await postForm(token, form, client.auth.headers)
    expect(retry.status, retry.text).toBe(200)
    expect(retry.json?.refresh_token).not.toBe(lost.json?.refresh_token)
    expect((await storedToken(server.store, lost.json?.access_token))?.revokedAt).toBeNull()
    const next = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: stringMember(retry, 'refresh_token') },
      client.auth.headers,
    )
    expect(next.status, next.text).toBe(200)
  })

  it('a revoked refresh token is not forgiven by the grace period', async () => {
    const client = await createTestClient(server.store)
    const code = await createTestCode(server.store, client, user)
    const first = await postForm(token, codeRequest(client, code), client.auth.headers)
    const refreshToken = stringMember(first, 'refresh_token')
    const revoked = await postForm(
      `${server.url}/revoke`,
      { token: refreshToken },
      client.auth.headers,
    )
    expect(revoked.status).toBe(200)
    expectOAuthError(
      await postForm(
        token,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        client.auth.headers,
      ),
      400,
      'invalid_grant',
    )
  })
})
