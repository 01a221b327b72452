import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpResult } from '../support/http-helpers.js'
import {
  clientIdOf,
  expectOAuthError,
  nowSeconds,
  OAUTH_ERROR_CHARS,
  postJson,
  postRaw,
  REDIRECT_URI,
  send,
} from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

describe('POST /register (RFC 7591 §3) on an open server with default options', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  async function storedClient(result: HttpResult) {
    const record = await server.store.getClient(clientIdOf(result))
    if (record === null) throw new Error(`client ${clientIdOf(result)} is not stored`)
    return record
  }

  it('R7591-01: a minimal {redirect_uris} request → 201 application/json with a string client_id', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expect(result.status).toBe(201)
    expect(result.headers.get('content-type')).toMatch(/^application\/json(;|$)/)
    expect(result.json).not.toBeNull()
    expect(typeof result.json?.client_id).toBe('string')
    expect(clientIdOf(result)).not.toBe('')
  })

  it('R7591-15 / A27: the 201 carries Cache-Control: no-store and Pragma: no-cache', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expect(result.status).toBe(201)
    expect(result.headers.get('cache-control')).toBe('no-store')
    expect(result.headers.get('pragma')).toBe('no-cache')
  })

  it('R7591-12: client_id_issued_at is an integer of epoch seconds at the time of the request', async () => {
    const before = nowSeconds()
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    const after = nowSeconds()
    const issuedAt = result.json?.client_id_issued_at
    expect(Number.isInteger(issuedAt)).toBe(true)
    expect(issuedAt).toBeGreaterThanOrEqual(before)
    expect(issuedAt).toBeLessThanOrEqual(after)
  })

  it('R7591-11 / R7591-14: the default client_secret_basic client gets a client_secret and client_secret_expires_at 0', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expect(typeof result.json?.client_secret).toBe('string')
    expect(String(result.json?.client_secret).length).toBeGreaterThanOrEqual(32)
    expect(result.json?.client_secret_expires_at).toBe(0)
  })

  it('R7591-10 / R7591-38: defaults are stated explicitly in the response (grants, response types, auth method, application type, server default scope)', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expect(result.json).toMatchObject({
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web',
      scope: 'read write',
    })
  })

  it('R7591-10 §3.2.1: the response holds exactly the registered metadata as stored', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      client_name: 'Stored as sent',
      contacts: ['ops@client.example'],
    })
    const record = await storedClient(result)
    const {
      client_id,
      client_id_issued_at,
      client_secret,
      client_secret_expires_at,
      // RFC 7592 §3 management credentials, when management is on: not client metadata.
      registration_access_token: _token,
      registration_client_uri: _uri,
      ...rest
    } = result.json ?? {}
    expect(client_id).toBe(record.clientId)
    expect(client_id_issued_at).toBe(record.clientIdIssuedAt)
    expect(client_secret_expires_at).toBe(record.clientSecretExpiresAt)
    expect(typeof client_secret).toBe('string')
    expect(rest).toEqual(record.metadata)
  })

  it("R7591-13: token_endpoint_auth_method 'none' → 201 without client_secret or client_secret_expires_at", async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    })
    expect(result.status).toBe(201)
    expect(result.json?.token_endpoint_auth_method).toBe('none')
    expect(result.json).not.toHaveProperty('client_secret')
    expect(result.json).not.toHaveProperty('client_secret_expires_at')
    expect((await storedClient(result)).clientSecretHash).toBeNull()
  })

  it('R7591-07 / R7591-08: two identical bodies get different client_ids and different client_secrets', async () => {
    const body = { redirect_uris: [REDIRECT_URI], client_name: 'Twin' }
    const first = await postJson(server.url, body)
    const second = await postJson(server.url, body)
    expect([first.status, second.status]).toEqual([201, 201])
    expect(clientIdOf(first)).not.toBe(clientIdOf(second))
    expect(first.json?.client_secret).not.toBe(second.json?.client_secret)
  })

  it('R7591-17 / A14: unknown metadata → 201, dropped from the response and from the stored record', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      example_extension_parameter: 'example_value',
    })
    expect(result.status).toBe(201)
    expect(result.json).not.toHaveProperty('example_extension_parameter')
    const record = await storedClient(result)
    expect(record.metadata).not.toHaveProperty('example_extension_parameter')
    expect(JSON.stringify(record)).not.toContain('example_extension_parameter')
  })

  it('R7591-06: a client_id in the body is ignored; the server issues its own', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      client_id: 'chosen-by-the-client',
    })
    expect(result.status).toBe(201)
    expect(clientIdOf(result)).not.toBe('chosen-by-the-client')
    expect(await server.store.getClient('chosen-by-the-client')).toBeNull()
  })

  it('R7591-32: language-tagged human-readable fields are echoed and stored with identical values', async () => {
    const tagged = {
      'client_name#ja-Jpan-JP': 'クライアント名',
      'client_name#en': 'Client name',
      'logo_uri#fr': 'https://client.example/logo-fr.png',
      'tos_uri#de': 'https://client.example/agb',
    }
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      client_name: 'Client name',
      ...tagged,
    })
    expect(result.status).toBe(201)
    expect(result.json).toMatchObject(tagged)
    expect((await storedClient(result)).metadata).toMatchObject(tagged)
  })

  it('R7591-33: a case variant of a language tag is normalised to one canonical entry', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      'client_name#JA-jpan-jp': 'クライアント名',
    })
    expect(result.status).toBe(201)
    expect(result.json?.['client_name#ja-Jpan-JP']).toBe('クライアント名')
    expect(result.json).not.toHaveProperty('client_name#JA-jpan-jp')
    const record = await storedClient(result)
    expect(record.metadata['client_name#ja-Jpan-JP']).toBe('クライアント名')
    expect(Object.keys(record.metadata).filter((key) => key.startsWith('client_name#'))).toEqual([
      'client_name#ja-Jpan-JP',
    ])
  })

  it('issue rule: only a hash of the client secret is stored, never the secret itself', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    const secret = String(result.json?.client_secret)
    const record = await storedClient(result)
    expect(record.clientSecretHash).not.toBeNull()
    expect(record.clientSecretHash).not.toBe(secret)
    expect(record.clientSecretHash).not.toContain(secret)
    expect(record.clientSecretHash).toBe(createHash('sha256').update(secret).digest('base64url'))
    expect(JSON.stringify(record)).not.toContain(secret)
    expect(JSON.stringify(await server.store.listClients({ limit: 1000 }))).not.toContain(secret)
  })

  it('issue rule: no issued credential (client_secret, registration_access_token) appears in the database files on disk', async () => {
    const secrets: string[] = []
    for (let i = 0; i < 3; i++) {
      const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
      secrets.push(String(result.json?.client_secret))
      const token = result.json?.registration_access_token
      if (typeof token === 'string') secrets.push(token)
    }
    const bytes = await server.databaseBytes()
    for (const secret of secrets) {
      expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false)
      // The digest is what is kept; finding it shows the search looked at the right files.
      const digest = createHash('sha256').update(secret).digest('base64url')
      expect(bytes.includes(Buffer.from(digest, 'utf8'))).toBe(true)
    }
  })

  it('issue rule: provenance records origin dynamic, authorizedBy open, the peer IP and the User-Agent', async () => {
    const result = await postJson(
      server.url,
      { redirect_uris: [REDIRECT_URI] },
      { 'User-Agent': 'registrar-http-tests/1.0 (provenance)' },
    )
    const record = await storedClient(result)
    expect(record.provenance).toEqual({
      origin: 'dynamic',
      authorizedBy: 'open',
      ip: '127.0.0.1',
      userAgent: 'registrar-http-tests/1.0 (provenance)',
      initialAccessTokenId: null,
      softwareStatementIssuer: null,
      verifiedBySoftwareStatement: false,
    })
  })

  it.each<[string, Record<string, unknown>]>([
    ['an http redirect URI to a remote host', { redirect_uris: ['http://evil.example/cb'] }],
    [
      'a grant type that is not allowed',
      { redirect_uris: [REDIRECT_URI], grant_types: ['password'] },
    ],
    ['a scope outside the allowed set', { redirect_uris: [REDIRECT_URI], scope: 'admin' }],
    ['no redirect_uris', { client_name: 'No redirect' }],
  ])('ROIDCR-27: a failed registration (%s) leaves no client behind', async (_name, body) => {
    const before = await server.store.listClients({ limit: 1000 })
    const result = await postJson(server.url, body)
    expect(result.status).toBe(400)
    const after = await server.store.listClients({ limit: 1000 })
    expect(after.map((c) => c.clientId)).toEqual(before.map((c) => c.clientId))
  })

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'R7591-02: %s /register → 405 with an Allow header naming POST',
    async (method) => {
      const result = await send(`${server.url}/register`, {
        method,
        ...(method === 'GET'
          ? {}
          : { headers: { 'Content-Type': 'application/json' }, body: '{}' }),
      })
      expectOAuthError(result, 405, 'method_not_allowed')
      const allow = (result.headers.get('allow') ?? '').split(',').map((m) => m.trim())
      expect(allow).toContain('POST')
      expect(allow).not.toContain(method)
    },
  )

  it('ROIDCR-23: an OPTIONS preflight allows POST with Content-Type and Authorization from any origin', async () => {
    const result = await send(`${server.url}/register`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://spa.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, authorization',
      },
    })
    expect(result.status).toBeGreaterThanOrEqual(200)
    expect(result.status).toBeLessThan(300)
    expect(result.headers.get('access-control-allow-origin')).toBe('*')
    const methods = (result.headers.get('access-control-allow-methods') ?? '')
      .split(',')
      .map((m) => m.trim().toUpperCase())
    expect(methods).toContain('POST')
    const headers = (result.headers.get('access-control-allow-headers') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
    expect(headers).toEqual(expect.arrayContaining(['content-type', 'authorization']))
    expect(result.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('ROIDCR-23: the 201 itself is readable cross-origin (Access-Control-Allow-Origin *, no credentials)', async () => {
    const result = await postJson(
      server.url,
      { redirect_uris: [REDIRECT_URI] },
      { Origin: 'https://spa.example' },
    )
    expect(result.status).toBe(201)
    expect(result.headers.get('access-control-allow-origin')).toBe('*')
    expect(result.headers.get('access-control-allow-credentials')).toBeNull()
  })

  describe('R7591-20 / R7591-15: error responses', () => {
    it.each<[string, () => Promise<HttpResult>, number, string]>([
      [
        'invalid_client_metadata',
        () => postJson(server.url, { redirect_uris: [REDIRECT_URI], client_name: 1 }),
        400,
        'invalid_client_metadata',
      ],
      [
        'invalid_redirect_uri',
        () => postJson(server.url, { redirect_uris: ['https://c.example/cb#frag'] }),
        400,
        'invalid_redirect_uri',
      ],
      [
        'malformed JSON',
        () => postRaw(server.url, '{"redirect_uris":', { 'Content-Type': 'application/json' }),
        400,
        'invalid_client_metadata',
      ],
      [
        'a quoted value with quotes, backslashes, controls and non-ASCII',
        () =>
          postJson(server.url, {
            redirect_uris: [REDIRECT_URI],
            token_endpoint_auth_method: 'é"\\\u0001日本\u{1F600}\ud800',
          }),
        400,
        'invalid_client_metadata',
      ],
      [
        'a quoted redirect URI with quotes and non-ASCII',
        () => postJson(server.url, { redirect_uris: ['https://c.example/"ü"#\\'] }),
        400,
        'invalid_redirect_uri',
      ],
      [
        'a 415',
        () => postRaw(server.url, '{}', { 'Content-Type': 'text/plain' }),
        415,
        'invalid_request',
      ],
      ['a 405', () => send(`${server.url}/register`), 405, 'method_not_allowed'],
    ])(
      '%s: JSON with error and error_description, no-store, characters within %%x20-21 / %%x23-5B / %%x5D-7E',
      async (_name, run, status, code) => {
        const result = await run()
        expectOAuthError(result, status, code)
        expect(result.headers.get('cache-control')).toBe('no-store')
        expect(result.headers.get('pragma')).toBe('no-cache')
        expect(result.json?.error).toMatch(OAUTH_ERROR_CHARS)
        expect(result.json?.error_description).toMatch(OAUTH_ERROR_CHARS)
        expect(String(result.json?.error_description)).not.toBe('')
      },
    )
  })
})

describe('registration.clientSecretExpiresInSeconds', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, clientSecretExpiresInSeconds: 3600 },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('R7591-11: 3600 → client_secret_expires_at is the issue time plus 3600 seconds', async () => {
    const before = nowSeconds()
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    const after = nowSeconds()
    expect(result.status).toBe(201)
    const expiresAt = result.json?.client_secret_expires_at
    expect(Number.isInteger(expiresAt)).toBe(true)
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600)
    expect(expiresAt).toBeLessThanOrEqual(after + 3600)
    expect(expiresAt).toBe(Number(result.json?.client_id_issued_at) + 3600)
    const record = await server.store.getClient(clientIdOf(result))
    expect(record?.clientSecretExpiresAt).toBe(expiresAt)
  })

  it("R7591-13: a public client ('none') still gets no client_secret_expires_at", async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    })
    expect(result.status).toBe(201)
    expect(result.json).not.toHaveProperty('client_secret_expires_at')
  })
})
