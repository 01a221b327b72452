import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOAuthError, postJson, REDIRECT_URI, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const WELL_KNOWN = '/.well-known/oauth-authorization-server'

describe('RFC 8414 discovery for an issuer without a path', () => {
  let server: TestServer
  let metadata: Record<string, unknown>
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    const result = await send(`${server.url}${WELL_KNOWN}`)
    if (result.json === null) throw new Error(`discovery is not a JSON object: ${result.text}`)
    metadata = result.json
  })
  afterAll(async () => {
    await server.close()
  })

  it('R8414-01: GET the well-known URL → 200 application/json holding a JSON object', async () => {
    const result = await send(`${server.url}${WELL_KNOWN}`)
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^application\/json(;|$)/)
    expect(result.json).not.toBeNull()
  })

  it('R8414-02: issuer is byte-equal to the configured issuer', () => {
    expect(metadata.issuer).toBe(server.issuer)
  })

  it('R8414-05: registration_endpoint is the issuer followed by /register, and a POST there registers a client', async () => {
    expect(metadata.registration_endpoint).toBe(`${server.issuer}/register`)
    const result = await send(String(metadata.registration_endpoint), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }),
    })
    expect(result.status).toBe(201)
  })

  it('R8414-08: grant_types_supported lists what the token endpoint serves (default)', () => {
    expect(metadata.grant_types_supported).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
    ])
  })

  it('R8414-04, R8414-09, RFC 9207 §3: the authorization endpoint, S256 PKCE and iss are advertised', () => {
    expect(metadata.authorization_endpoint).toBe(`${server.issuer}/authorize`)
    expect(metadata.token_endpoint).toBe(`${server.issuer}/token`)
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true)
    expect(metadata.revocation_endpoint).toBe(`${server.issuer}/revoke`)
    expect(metadata.introspection_endpoint).toBe(`${server.issuer}/introspect`)
  })

  it('RFC 8414 §2: jwks_uri is absent while access tokens are opaque (there is no key to publish)', () => {
    expect(metadata).not.toHaveProperty('jwks_uri')
  })

  it('R8414-04: response_types_supported holds code', () => {
    expect(metadata.response_types_supported).toEqual(['code'])
  })

  it('R8414-07: token_endpoint_auth_methods_supported is published, with none for public clients', () => {
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'none']),
    )
  })

  it('R8414-07: every advertised auth method is accepted at registration', async () => {
    const methods = metadata.token_endpoint_auth_methods_supported
    expect(Array.isArray(methods)).toBe(true)
    for (const method of methods as unknown[]) {
      const body: Record<string, unknown> = {
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: method,
      }
      if (method === 'private_key_jwt') body.jwks_uri = 'https://client.example/jwks.json'
      const result = await postJson(server.url, body)
      expect({ method, status: result.status }).toEqual({ method, status: 201 })
    }
  })

  it('R8414-06: token_endpoint_auth_signing_alg_values_supported is present (private_key_jwt listed) and excludes none', () => {
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt')
    const algs = metadata.token_endpoint_auth_signing_alg_values_supported
    expect(Array.isArray(algs)).toBe(true)
    expect((algs as unknown[]).length).toBeGreaterThan(0)
    expect(algs).not.toContain('none')
  })

  it('R8414-11: scopes_supported lists the configured scopes', () => {
    expect(metadata.scopes_supported).toEqual(['read', 'write'])
  })

  it('R8414-10: no member is an empty array', () => {
    for (const [name, value] of Object.entries(metadata)) {
      expect({ name, empty: Array.isArray(value) && value.length === 0 }).toEqual({
        name,
        empty: false,
      })
    }
  })

  it('OIDC Discovery §4: the document is readable cross-origin (CORS)', async () => {
    const result = await send(`${server.url}${WELL_KNOWN}`, {
      headers: { Origin: 'https://spa.example' },
    })
    expect(result.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('OIDC Discovery §4: an OPTIONS preflight allows GET', async () => {
    const result = await send(`${server.url}${WELL_KNOWN}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://spa.example', 'Access-Control-Request-Method': 'GET' },
    })
    expect(result.status).toBeGreaterThanOrEqual(200)
    expect(result.status).toBeLessThan(300)
    expect(result.headers.get('access-control-allow-origin')).toBe('*')
    expect(result.headers.get('access-control-allow-methods')).toMatch(/\bGET\b/)
  })

  it.each([
    '/nope',
    '/.well-known/openid-configuration',
    `${WELL_KNOWN}/tenant1`,
    '/register/a/b',
    '/tenant1/register',
    '/tenant1/token',
  ])('unknown path %s → 404 JSON error', async (path) => {
    const result = await send(`${server.url}${path}`)
    expectOAuthError(result, 404, 'not_found')
  })
})

describe('R8414-08: grant and response types follow what is enabled, never what is not', () => {
  it.each<
    [
      { readonly implicit?: boolean; readonly password?: boolean },
      readonly string[],
      readonly string[],
    ]
  >([
    [{}, ['authorization_code', 'refresh_token', 'client_credentials'], ['code']],
    [
      { password: true },
      ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
      ['code'],
    ],
    [
      { implicit: true },
      ['authorization_code', 'refresh_token', 'client_credentials', 'implicit'],
      ['code', 'token'],
    ],
  ])(
    'authorization %j → grant_types_supported %j, response_types_supported %j',
    async (authorization, grants, responseTypes) => {
      const server = await startTestServer({ authorization })
      try {
        const result = await send(`${server.url}${WELL_KNOWN}`)
        expect(result.json?.grant_types_supported).toEqual(grants)
        expect(result.json?.response_types_supported).toEqual(responseTypes)
      } finally {
        await server.close()
      }
    },
  )
})

describe.each(['/tenant1', '/tenant1/'])('R8414-02: an issuer with the path %s', (issuerPath) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ issuerPath, registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  it('metadata is at /.well-known/oauth-authorization-server/tenant1 with the issuer byte-equal', async () => {
    const result = await send(`${server.url}${WELL_KNOWN}/tenant1`)
    expect(result.status).toBe(200)
    expect(result.json?.issuer).toBe(server.issuer)
    expect(result.json?.registration_endpoint).toBe(`${server.url}/tenant1/register`)
  })

  it('registration is at /tenant1/register', async () => {
    const result = await postJson(`${server.url}/tenant1`, { redirect_uris: [REDIRECT_URI] })
    expect(result.status).toBe(201)
  })

  it('the root /register → 404', async () => {
    const before = (await server.store.listClients()).length
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expectOAuthError(result, 404, 'not_found')
    expect((await server.store.listClients()).length).toBe(before)
  })

  it('the root well-known URL (another issuer’s) → 404', async () => {
    expectOAuthError(await send(`${server.url}${WELL_KNOWN}`), 404, 'not_found')
  })
})
