import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueInitialAccessToken } from '../../src/core/registration/initial-access-token.js'
import type { AuthorizeRegistration } from '../../src/options.js'
import type { HttpResult } from '../support/http-helpers.js'
import {
  clientIdOf,
  expectOAuthError,
  nowSeconds,
  postJson,
  REDIRECT_URI,
  send,
} from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const BODY = { redirect_uris: [REDIRECT_URI] }

async function clientCount(server: TestServer): Promise<number> {
  return (await server.store.listClients({ limit: 1000 })).length
}

describe("registration.mode 'initial_access_token' (RFC 7591 §3 ¶2, RFC 6750 §3)", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { mode: 'initial_access_token', rateLimit: false },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  async function newToken(
    input: Parameters<typeof issueInitialAccessToken>[1] = {},
    now = nowSeconds(),
  ) {
    return issueInitialAccessToken(server.store, input, now)
  }

  function bearer(token: string): Record<string, string> {
    return { Authorization: `Bearer ${token}` }
  }

  function expectInvalidToken(result: HttpResult): void {
    expectOAuthError(result, 401, 'invalid_token')
    expect(result.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    expect(result.headers.get('cache-control')).toBe('no-store')
  }

  it.each<[string, Record<string, string>]>([
    ['no Authorization header', {}],
    ['an empty Authorization header', { Authorization: '' }],
    ['Basic credentials instead of a Bearer token', { Authorization: 'Basic dXNlcjpwYXNz' }],
  ])(
    'R7591-04: %s → 401 with WWW-Authenticate: Bearer and no error attribute',
    async (_name, headers) => {
      const before = await clientCount(server)
      const result = await postJson(server.url, BODY, headers)
      expect(result.status).toBe(401)
      const challenge = result.headers.get('www-authenticate') ?? ''
      expect(challenge).toMatch(/^Bearer\b/)
      expect(challenge).not.toMatch(/error=/)
      expect(result.json?.error).toBe('invalid_token')
      expect(await clientCount(server)).toBe(before)
    },
  )

  it.each<[string, string]>([
    ['an unknown token', 'Bearer bm90LWEtcmVhbC10b2tlbg'],
    ['a malformed Bearer value', 'Bearer !!not a token!!'],
    ['a Bearer scheme with no token', 'Bearer'],
  ])(
    'R7591-04: %s → 401 with WWW-Authenticate: Bearer error="invalid_token"',
    async (_name, authorization) => {
      const before = await clientCount(server)
      expectInvalidToken(await postJson(server.url, BODY, { Authorization: authorization }))
      expect(await clientCount(server)).toBe(before)
    },
  )

  it('a valid token → 201, provenance authorizedBy initial_access_token with the token id', async () => {
    const { token, record } = await newToken({ description: 'valid' })
    const result = await postJson(server.url, BODY, bearer(token))
    expect(result.status).toBe(201)
    const client = await server.store.getClient(clientIdOf(result))
    expect(client?.provenance).toMatchObject({
      origin: 'dynamic',
      authorizedBy: 'initial_access_token',
      initialAccessTokenId: record.id,
    })
    const stored = (await server.store.listInitialAccessTokens()).find((t) => t.id === record.id)
    expect(stored?.uses).toBe(1)
  })

  it('RFC 9110 §11.1: the Bearer scheme name is case-insensitive', async () => {
    const { token } = await newToken()
    const result = await postJson(server.url, BODY, { Authorization: `bearer ${token}` })
    expect(result.status).toBe(201)
  })

  it('maxUses 2 → two registrations succeed, the third gets 401 invalid_token', async () => {
    const { token } = await newToken({ maxUses: 2 })
    expect((await postJson(server.url, BODY, bearer(token))).status).toBe(201)
    expect((await postJson(server.url, BODY, bearer(token))).status).toBe(201)
    const before = await clientCount(server)
    expectInvalidToken(await postJson(server.url, BODY, bearer(token)))
    expect(await clientCount(server)).toBe(before)
  })

  it('a refused registration (invalid metadata) does not use up the token', async () => {
    const { token, record } = await newToken({ maxUses: 1 })
    const refused = await postJson(
      server.url,
      { redirect_uris: ['http://evil.example/cb'] },
      bearer(token),
    )
    expectOAuthError(refused, 400, 'invalid_redirect_uri')
    const stored = (await server.store.listInitialAccessTokens()).find((t) => t.id === record.id)
    expect(stored?.uses).toBe(0)
    expect((await postJson(server.url, BODY, bearer(token))).status).toBe(201)
  })

  it('an expired token → 401 invalid_token', async () => {
    const { token } = await newToken({ expiresInSeconds: 1 }, nowSeconds() - 3600)
    const before = await clientCount(server)
    expectInvalidToken(await postJson(server.url, BODY, bearer(token)))
    expect(await clientCount(server)).toBe(before)
  })

  it('a revoked token → 401 invalid_token', async () => {
    const { token, record } = await newToken()
    expect((await postJson(server.url, BODY, bearer(token))).status).toBe(201)
    expect(await server.store.revokeInitialAccessToken(record.id, nowSeconds())).toBe(true)
    const before = await clientCount(server)
    expectInvalidToken(await postJson(server.url, BODY, bearer(token)))
    expect(await clientCount(server)).toBe(before)
  })

  it('Store contract: 20 concurrent registrations with a maxUses 5 token → exactly 5 × 201 and 15 × 401, 5 clients', async () => {
    const { token, record } = await newToken({ maxUses: 5 })
    const results = await Promise.all(
      Array.from({ length: 20 }, () => postJson(server.url, BODY, bearer(token))),
    )
    const statuses = results.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 201)).toHaveLength(5)
    expect(statuses.filter((s) => s === 401)).toHaveLength(15)
    for (const refused of results.filter((r) => r.status === 401)) expectInvalidToken(refused)
    const clients = (await server.store.listClients({ limit: 1000 })).filter(
      (c) => c.provenance.initialAccessTokenId === record.id,
    )
    expect(clients).toHaveLength(5)
    expect(clients.map((c) => c.clientId).sort()).toEqual(
      results
        .filter((r) => r.status === 201)
        .map(clientIdOf)
        .sort(),
    )
    const stored = (await server.store.listInitialAccessTokens()).find((t) => t.id === record.id)
    expect(stored?.uses).toBe(5)
  })
})

describe("registration.mode 'disabled'", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { mode: 'disabled' } })
  })
  afterAll(async () => {
    await server.close()
  })

  it('POST /register → 404 JSON and no client is created', async () => {
    const result = await postJson(server.url, BODY)
    expectOAuthError(result, 404, 'not_found')
    expect(await clientCount(server)).toBe(0)
  })

  it('GET /register → 404 too (the endpoint does not exist)', async () => {
    expectOAuthError(await send(`${server.url}/register`), 404, 'not_found')
  })

  it('R8414-05: discovery does not advertise a registration_endpoint', async () => {
    const result = await send(`${server.url}/.well-known/oauth-authorization-server`)
    expect(result.status).toBe(200)
    expect(result.json).not.toHaveProperty('registration_endpoint')
    expect(result.json?.issuer).toBe(server.issuer)
  })
})

describe('registration.authorizeRegistration hook', () => {
  /** A server whose hook answers with `decide` and counts its calls. */
  async function withHook(
    decide: AuthorizeRegistration,
    run: (server: TestServer, calls: () => number) => Promise<void>,
    mode: 'open' | 'initial_access_token' = 'open',
  ): Promise<void> {
    let calls = 0
    const server = await startTestServer({
      registration: {
        mode,
        rateLimit: false,
        authorizeRegistration: (request) => {
          calls++
          return decide(request)
        },
      },
    })
    try {
      await run(server, () => calls)
    } finally {
      await server.close()
    }
  }

  it('returning false → 403 access_denied, no client', async () => {
    await withHook(
      () => false,
      async (server, calls) => {
        const result = await postJson(server.url, BODY)
        expectOAuthError(result, 403, 'access_denied')
        expect(result.headers.get('cache-control')).toBe('no-store')
        expect(calls()).toBe(1)
        expect(await clientCount(server)).toBe(0)
      },
    )
  })

  it('returning a Response (401 with a custom header) → that exact response, no client', async () => {
    await withHook(
      () =>
        new Response('{"error":"login_required","hint":"sign in first"}', {
          status: 401,
          headers: {
            'Content-Type': 'application/json',
            'WWW-Authenticate': 'Cookie realm="host"',
            'X-Host-Reason': 'no-session',
          },
        }),
      async (server) => {
        const result = await postJson(server.url, BODY)
        expect(result.status).toBe(401)
        expect(result.headers.get('x-host-reason')).toBe('no-session')
        expect(result.headers.get('www-authenticate')).toBe('Cookie realm="host"')
        expect(result.headers.get('content-type')).toBe('application/json')
        expect(result.text).toBe('{"error":"login_required","hint":"sign in first"}')
        expect(await clientCount(server)).toBe(0)
      },
    )
  })

  it('returning true (asynchronously) → 201 with provenance authorizedBy hook', async () => {
    await withHook(
      async () => true,
      async (server) => {
        const result = await postJson(server.url, BODY)
        expect(result.status).toBe(201)
        const client = await server.store.getClient(clientIdOf(result))
        expect(client?.provenance.authorizedBy).toBe('hook')
      },
    )
  })

  it('the hook sees the request headers', async () => {
    await withHook(
      (request) => request.headers.get('x-api-key') === 'let-me-in',
      async (server) => {
        expect((await postJson(server.url, BODY, { 'X-Api-Key': 'let-me-in' })).status).toBe(201)
        expectOAuthError(
          await postJson(server.url, BODY, { 'X-Api-Key': 'no' }),
          403,
          'access_denied',
        )
      },
    )
  })

  it('issue rule (never 500): a hook that reads the request body to decide still lets the approved registration through → 201', async () => {
    await withHook(
      async (request) => {
        const body = (await request.json()) as { software_id?: unknown }
        return body.software_id === 'approved-software'
      },
      async (server, calls) => {
        const result = await postJson(server.url, { ...BODY, software_id: 'approved-software' })
        expect(result.status, result.text).toBe(201)
        expect(result.json?.software_id).toBe('approved-software')
        expect(calls()).toBe(1)
      },
    )
  })

  it.each<[string, Record<string, string>]>([
    ['Origin: https://evil.example', { Origin: 'https://evil.example' }],
    ['Origin: null', { Origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ])(
    'R7591-09 (CSRF): a Cookie with %s → 403 access_denied, the hook is not consulted, no client',
    async (_name, headers) => {
      await withHook(
        () => true,
        async (server, calls) => {
          const result = await postJson(server.url, BODY, { Cookie: 'session=abc', ...headers })
          expectOAuthError(result, 403, 'access_denied')
          expect(calls()).toBe(0)
          expect(await clientCount(server)).toBe(0)
        },
      )
    },
  )

  it('R7591-09: a Cookie with Origin equal to the issuer origin → 201', async () => {
    await withHook(
      () => true,
      async (server) => {
        const result = await postJson(server.url, BODY, {
          Cookie: 'session=abc',
          Origin: new URL(server.issuer).origin,
          'Sec-Fetch-Site': 'same-origin',
        })
        expect(result.status).toBe(201)
      },
    )
  })

  it('R7591-09: a cross-origin request without cookies is not CSRF → 201 (CORS registration)', async () => {
    await withHook(
      () => true,
      async (server, calls) => {
        const result = await postJson(server.url, BODY, {
          Origin: 'https://spa.example',
          'Sec-Fetch-Site': 'cross-site',
        })
        expect(result.status).toBe(201)
        expect(calls()).toBe(1)
      },
    )
  })

  it('with initial_access_token mode the token is checked first; provenance stays initial_access_token', async () => {
    await withHook(
      () => true,
      async (server, calls) => {
        expect((await postJson(server.url, BODY)).status).toBe(401)
        expect(calls()).toBe(0)
        const { token, record } = await issueInitialAccessToken(server.store, {}, nowSeconds())
        const result = await postJson(server.url, BODY, { Authorization: `Bearer ${token}` })
        expect(result.status).toBe(201)
        expect(calls()).toBe(1)
        const client = await server.store.getClient(clientIdOf(result))
        expect(client?.provenance).toMatchObject({
          authorizedBy: 'initial_access_token',
          initialAccessTokenId: record.id,
        })
      },
      'initial_access_token',
    )
  })
})

describe('R7591-03: per-IP rate limit (429 + Retry-After)', () => {
  function expectRateLimited(result: HttpResult): void {
    expect(result.status).toBe(429)
    expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    expect(typeof result.json?.error).toBe('string')
    expect(typeof result.json?.error_description).toBe('string')
    const retryAfter = result.headers.get('retry-after') ?? ''
    expect(retryAfter).toMatch(/^\d+$/)
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
  }

  it('max 3 per hour → the 4th POST is 429 JSON with an integer Retry-After ≥ 1, and no client', async () => {
    const server = await startTestServer({
      registration: { rateLimit: { max: 3, windowSeconds: 3600 } },
    })
    try {
      for (let i = 0; i < 3; i++) expect((await postJson(server.url, BODY)).status).toBe(201)
      const result = await postJson(server.url, BODY)
      expectRateLimited(result)
      expect(result.headers.get('cache-control')).toBe('no-store')
      const exposed = (result.headers.get('access-control-expose-headers') ?? '').toLowerCase()
      expect(exposed).toContain('retry-after')
      expect(await clientCount(server)).toBe(3)
    } finally {
      await server.close()
    }
  })

  it('refused requests count too: invalid bodies use up the budget', async () => {
    const server = await startTestServer({
      registration: { rateLimit: { max: 2, windowSeconds: 3600 } },
    })
    try {
      expect((await postJson(server.url, { redirect_uris: 'x' })).status).toBe(400)
      expect((await postJson(server.url, { redirect_uris: 'x' })).status).toBe(400)
      expectRateLimited(await postJson(server.url, BODY))
    } finally {
      await server.close()
    }
  })

  it('trustProxyHops 1: different X-Forwarded-For addresses get separate buckets, and provenance records that address', async () => {
    const server = await startTestServer({
      trustProxyHops: 1,
      registration: { rateLimit: { max: 1, windowSeconds: 3600 } },
    })
    try {
      const first = await postJson(server.url, BODY, { 'X-Forwarded-For': '203.0.113.1' })
      expect(first.status).toBe(201)
      expectRateLimited(await postJson(server.url, BODY, { 'X-Forwarded-For': '203.0.113.1' }))
      const other = await postJson(server.url, BODY, { 'X-Forwarded-For': '203.0.113.2' })
      expect(other.status).toBe(201)
      expect((await server.store.getClient(clientIdOf(first)))?.provenance.ip).toBe('203.0.113.1')
      expect((await server.store.getClient(clientIdOf(other)))?.provenance.ip).toBe('203.0.113.2')
    } finally {
      await server.close()
    }
  })

  it('trustProxyHops 1: addresses left of the trusted hop are the client’s own claim and do not open new buckets', async () => {
    const server = await startTestServer({
      trustProxyHops: 1,
      registration: { rateLimit: { max: 1, windowSeconds: 3600 } },
    })
    try {
      expect(
        (await postJson(server.url, BODY, { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9' }))
          .status,
      ).toBe(201)
      expectRateLimited(
        await postJson(server.url, BODY, { 'X-Forwarded-For': '198.51.100.2, 203.0.113.9' }),
      )
    } finally {
      await server.close()
    }
  })

  it('trustProxyHops 0 (default): X-Forwarded-For is ignored, so spoofing it does not escape the limit', async () => {
    const server = await startTestServer({
      registration: { rateLimit: { max: 1, windowSeconds: 3600 } },
    })
    try {
      const first = await postJson(server.url, BODY, { 'X-Forwarded-For': '203.0.113.1' })
      expect(first.status).toBe(201)
      expect((await server.store.getClient(clientIdOf(first)))?.provenance.ip).toBe('127.0.0.1')
      expectRateLimited(await postJson(server.url, BODY, { 'X-Forwarded-For': '203.0.113.2' }))
    } finally {
      await server.close()
    }
  })

  it('rateLimit false → 50 registrations from one address all get 201', async () => {
    const server = await startTestServer({ registration: { rateLimit: false } })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 50; i++) statuses.push((await postJson(server.url, BODY)).status)
      expect(statuses).toEqual(Array.from({ length: 50 }, () => 201))
      expect(await clientCount(server)).toBe(50)
    } finally {
      await server.close()
    }
  })
})
