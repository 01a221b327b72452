import type { JWK } from 'jose'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RawBody } from '../support/http-helpers.js'
import {
  deeplyNestedJson,
  expectOAuthError,
  postJson,
  postRaw,
  REDIRECT_URI,
} from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const JSON_TYPE = { 'Content-Type': 'application/json' }
const utf8 = new TextEncoder()

let server: TestServer
let publicJwk: JWK
beforeAll(async () => {
  server = await startTestServer({ registration: { rateLimit: false } })
  const { publicKey } = await generateKeyPair('ES256', { extractable: true })
  publicJwk = await exportJWK(publicKey)
})
afterAll(async () => {
  await server.close()
})

/** Asserts the error and that the refused request left no client behind (ROIDCR-27). */
async function expectRefused(
  send: () => Promise<Awaited<ReturnType<typeof postJson>>>,
  status: number,
  code: string,
): Promise<void> {
  const before = (await server.store.listClients({ limit: 1000 })).length
  const result = await send()
  expectOAuthError(result, status, code)
  expect((await server.store.listClients({ limit: 1000 })).length).toBe(before)
}

describe('A11 / R7591-19: bodies that are not a JSON object → 400 invalid_client_metadata', () => {
  it.each<[string, RawBody]>([
    ['malformed JSON', '{"redirect_uris": ["https://client.example/callback"]'],
    ['a trailing comma', '{"redirect_uris": ["https://client.example/callback"],}'],
    ['a top-level array', `[{"redirect_uris": ["${REDIRECT_URI}"]}]`],
    ['an empty top-level array', '[]'],
    ['a JSON string', '"redirect_uris"'],
    ['a JSON number', '42'],
    ['JSON true', 'true'],
    ['JSON null', 'null'],
    ['an empty body', ''],
    ['only whitespace', '   \n'],
    ['a form body sent as JSON', `redirect_uris=${encodeURIComponent(REDIRECT_URI)}`],
    [
      'invalid UTF-8 bytes',
      Uint8Array.from([...utf8.encode('{"client_name":"'), 0xff, 0xfe, ...utf8.encode('"}')]),
    ],
    ['a lone UTF-8 continuation byte', Uint8Array.from([0x7b, 0x80, 0x7d])],
    ['an overlong UTF-8 encoding of "/"', Uint8Array.from([0x22, 0xc0, 0xaf, 0x22])],
  ])('%s → 400 invalid_client_metadata', async (_name, body) => {
    await expectRefused(() => postRaw(server.url, body, JSON_TYPE), 400, 'invalid_client_metadata')
  })
})

describe('A11: a Content-Type other than application/json (UTF-8) → 415 JSON error', () => {
  const json = utf8.encode(JSON.stringify({ redirect_uris: [REDIRECT_URI] }))

  it.each<[string, Record<string, string>]>([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['text/plain;charset=UTF-8', { 'Content-Type': 'text/plain;charset=UTF-8' }],
    ['no Content-Type at all', {}],
    ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['multipart/form-data', { 'Content-Type': 'multipart/form-data; boundary=x' }],
    ['application/json; charset=latin1', { 'Content-Type': 'application/json; charset=latin1' }],
    ['application/json; charset=utf-16', { 'Content-Type': 'application/json; charset=utf-16' }],
    ['application/jsonx', { 'Content-Type': 'application/jsonx' }],
    ['application/jwt', { 'Content-Type': 'application/jwt' }],
  ])('%s → 415', async (_name, headers) => {
    const before = (await server.store.listClients({ limit: 1000 })).length
    const result = await postRaw(server.url, json, headers)
    expect(result.status).toBe(415)
    expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    expect(typeof result.json?.error).toBe('string')
    expect(typeof result.json?.error_description).toBe('string')
    expect((await server.store.listClients({ limit: 1000 })).length).toBe(before)
  })

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'Application/JSON',
  ])('%s is accepted → 201', async (contentType) => {
    const result = await postRaw(server.url, json, { 'Content-Type': contentType })
    expect(result.status).toBe(201)
  })
})

describe('issue rule: a body over registration.maxBodyBytes → 413', () => {
  const LIMIT = 1024
  let small: TestServer
  beforeAll(async () => {
    small = await startTestServer({ registration: { rateLimit: false, maxBodyBytes: LIMIT } })
  })
  afterAll(async () => {
    await small.close()
  })

  /** A valid registration body padded with spaces to exactly `size` bytes. */
  function paddedBody(size: number): string {
    const json = JSON.stringify({ redirect_uris: [REDIRECT_URI] })
    return `${json}${' '.repeat(size - json.length)}`
  }

  function chunked(text: string, chunkSize: number): ReadableStream<Uint8Array> {
    const bytes = utf8.encode(text)
    let offset = 0
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close()
          return
        }
        controller.enqueue(bytes.slice(offset, offset + chunkSize))
        offset += chunkSize
      },
    })
  }

  it('exactly maxBodyBytes with Content-Length → 201', async () => {
    const result = await postRaw(small.url, paddedBody(LIMIT), JSON_TYPE)
    expect(result.status).toBe(201)
  })

  it('one byte over maxBodyBytes with an honest Content-Length → 413', async () => {
    const result = await postRaw(small.url, paddedBody(LIMIT + 1), JSON_TYPE)
    expectOAuthError(result, 413, 'invalid_request')
  })

  it('twice maxBodyBytes with an honest Content-Length → 413', async () => {
    const result = await postRaw(small.url, paddedBody(2 * LIMIT), JSON_TYPE)
    expectOAuthError(result, 413, 'invalid_request')
  })

  it('over maxBodyBytes with chunked transfer encoding (no Content-Length) → 413', async () => {
    const before = (await small.store.listClients()).length
    const result = await postRaw(small.url, chunked(paddedBody(2 * LIMIT), 256), JSON_TYPE)
    expectOAuthError(result, 413, 'invalid_request')
    expect((await small.store.listClients()).length).toBe(before)
  })

  it('within maxBodyBytes with chunked transfer encoding → 201', async () => {
    const result = await postRaw(small.url, chunked(paddedBody(LIMIT), 100), JSON_TYPE)
    expect(result.status).toBe(201)
  })

  it('the server still registers after refusing oversized bodies', async () => {
    await postRaw(small.url, chunked(paddedBody(4 * LIMIT), 512), JSON_TYPE)
    const result = await postJson(small.url, { redirect_uris: [REDIRECT_URI] })
    expect(result.status).toBe(201)
  })
})

describe('R7591-18: wrong JSON types per field → 400, never 5xx', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['redirect_uris as a string', 'invalid_redirect_uri', { redirect_uris: REDIRECT_URI }],
    ['redirect_uris holding a number', 'invalid_redirect_uri', { redirect_uris: [1] }],
    ['redirect_uris holding an empty string', 'invalid_redirect_uri', { redirect_uris: [''] }],
    ['redirect_uris as an object', 'invalid_redirect_uri', { redirect_uris: { 0: REDIRECT_URI } }],
    ['redirect_uris holding an array', 'invalid_redirect_uri', { redirect_uris: [[REDIRECT_URI]] }],
    ['client_name as a number', 'invalid_client_metadata', { client_name: 123 }],
    ['client_name as an empty string', 'invalid_client_metadata', { client_name: '' }],
    ['client_name as an array', 'invalid_client_metadata', { client_name: ['A'] }],
    ['client_name with a line break', 'invalid_client_metadata', { client_name: 'A\nB' }],
    ['grant_types as a string', 'invalid_client_metadata', { grant_types: 'authorization_code' }],
    ['grant_types holding a number', 'invalid_client_metadata', { grant_types: [1] }],
    ['response_types as a string', 'invalid_client_metadata', { response_types: 'code' }],
    [
      'response_types with an unknown value',
      'invalid_client_metadata',
      { response_types: ['id_token'] },
    ],
    [
      'token_endpoint_auth_method as a number',
      'invalid_client_metadata',
      { token_endpoint_auth_method: 5 },
    ],
    ['application_type desktop', 'invalid_client_metadata', { application_type: 'desktop' }],
    ['scope as an array', 'invalid_client_metadata', { scope: ['read'] }],
    ['scope with a forbidden character', 'invalid_client_metadata', { scope: 'read "write"' }],
    ['contacts holding an object', 'invalid_client_metadata', { contacts: [{}] }],
    ['contacts as a string', 'invalid_client_metadata', { contacts: 'ops@client.example' }],
    ['jwks as a string', 'invalid_client_metadata', { jwks: 'x' }],
    ['jwks with keys as a string', 'invalid_client_metadata', { jwks: { keys: 'x' } }],
    ['jwks as a bare JWK', 'invalid_client_metadata', { jwks: { kty: 'RSA' } }],
    ['jwks with no keys', 'invalid_client_metadata', { jwks: { keys: [] } }],
    [
      'jwks with an incomplete RSA key',
      'invalid_client_metadata',
      { jwks: { keys: [{ kty: 'RSA' }] } },
    ],
    [
      'jwks with a symmetric key',
      'invalid_client_metadata',
      { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
    ],
    ['jwks_uri as a number', 'invalid_client_metadata', { jwks_uri: 5 }],
    ['jwks_uri over http', 'invalid_client_metadata', { jwks_uri: 'http://client.example/jwks' }],
    ['client_uri as javascript:', 'invalid_client_metadata', { client_uri: 'javascript:alert(1)' }],
    ['logo_uri as a number', 'invalid_client_metadata', { logo_uri: 5 }],
    ['tos_uri as data:', 'invalid_client_metadata', { tos_uri: 'data:text/html,hi' }],
    ['policy_uri relative', 'invalid_client_metadata', { policy_uri: '/policy' }],
    ['software_id as a number', 'invalid_client_metadata', { software_id: 5 }],
    ['software_version as an object', 'invalid_client_metadata', { software_version: {} }],
    ['client_name#en as a number', 'invalid_client_metadata', { 'client_name#en': 5 }],
    [
      'client_name# with an invalid language tag',
      'invalid_client_metadata',
      { 'client_name#not a tag': 'A' },
    ],
  ])('%s → %s', async (_name, code, fields) => {
    const body = 'redirect_uris' in fields ? fields : { redirect_uris: [REDIRECT_URI], ...fields }
    await expectRefused(() => postJson(server.url, body), 400, code)
  })

  it('A10 / R7591-21: redirect_uris missing → invalid_redirect_uri', async () => {
    await expectRefused(
      () => postJson(server.url, { client_name: 'A' }),
      400,
      'invalid_redirect_uri',
    )
  })

  it('A10 / R7591-21: redirect_uris empty → invalid_redirect_uri', async () => {
    await expectRefused(
      () => postJson(server.url, { redirect_uris: [] }),
      400,
      'invalid_redirect_uri',
    )
  })

  it('R7591-18: a deeply nested value inside a jwks key never produces a 5xx', async () => {
    // Within the default 64 KiB body limit; JSON.parse copes with the depth, what comes after must too.
    const key = JSON.stringify({ ...publicJwk, kid: 'deep' }).slice(0, -1)
    const raw = `{"redirect_uris":["${REDIRECT_URI}"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[${key},"x-nested":${deeplyNestedJson(30_000)}}]}}`
    expect(raw.length).toBeLessThan(65_536)
    const before = (await server.store.listClients({ limit: 1000 })).length
    const result = await postRaw(server.url, raw, JSON_TYPE)
    expect(result.status, result.text).toBeLessThan(500)
    if (result.status !== 201) {
      expectOAuthError(result, 400, 'invalid_client_metadata')
      expect((await server.store.listClients({ limit: 1000 })).length).toBe(before)
    }
  })

  it('R7591-17: a deeply nested unknown member is ignored → 201', async () => {
    const raw = `{"redirect_uris":["${REDIRECT_URI}"],"x-nested":${deeplyNestedJson(30_000)}}`
    const result = await postRaw(server.url, raw, JSON_TYPE)
    expect(result.status).toBe(201)
    expect(result.json).not.toHaveProperty('x-nested')
  })
})

describe('R7591-22 / R7591-23: redirect URIs', () => {
  it.each([
    ['a fragment', 'https://client.example/cb#frag'],
    ['an empty fragment', 'https://client.example/cb#'],
    ['a relative reference', '/cb'],
    ['a bare word', 'callback'],
    ['a non-URI string', 'not a uri'],
    ['http to a remote host', 'http://evil.example/cb'],
    ['http to a host that only starts like loopback', 'http://127.0.0.1.evil.example/cb'],
    ['http to localhost-like subdomain', 'http://localhost.evil.example/cb'],
    ['javascript:', 'javascript:alert(1)'],
    ['JavaScript: in mixed case', 'JavaScript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['file:', 'file:///etc/passwd'],
    ['user credentials', 'https://user:pass@client.example/cb'],
    ['a leading space', ' https://client.example/cb'],
    ['an embedded newline', 'https://client.example/c\nb'],
  ])('%s (%s) → 400 invalid_redirect_uri', async (_name, uri) => {
    await expectRefused(
      () => postJson(server.url, { redirect_uris: [REDIRECT_URI, uri] }),
      400,
      'invalid_redirect_uri',
    )
  })

  it.each([
    'http://127.0.0.1:8080/callback',
    'http://127.0.0.1/callback',
    'http://localhost:3000/callback',
    'http://[::1]:9000/callback',
  ])('A15: loopback http %s for a confidential web client → 201', async (uri) => {
    const result = await postJson(server.url, { redirect_uris: [uri] })
    expect(result.status).toBe(201)
    expect(result.json?.redirect_uris).toEqual([uri])
    expect(result.json?.token_endpoint_auth_method).toBe('client_secret_basic')
  })

  const cursor = 'cursor://anysphere.cursor-retrieval/oauth/user-callback'

  it('A17: a single-word private-use scheme (cursor://) for a public client → 201', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [cursor],
      token_endpoint_auth_method: 'none',
    })
    expect(result.status).toBe(201)
    expect(result.json?.redirect_uris).toEqual([cursor])
  })

  it('A17: a private-use scheme for a native confidential client → 201', async () => {
    const result = await postJson(server.url, {
      redirect_uris: ['com.example.app:/oauth2redirect'],
      application_type: 'native',
    })
    expect(result.status).toBe(201)
  })

  it('A17 / RFC 8252 §7.1: a private-use scheme for a confidential web client → invalid_redirect_uri', async () => {
    await expectRefused(
      () => postJson(server.url, { redirect_uris: [cursor] }),
      400,
      'invalid_redirect_uri',
    )
  })
})

describe('R7591-25 / A39: grant types', () => {
  const bodies: Record<string, Record<string, unknown>> = {
    password: { grant_types: ['password'] },
    client_credentials: { grant_types: ['client_credentials'] },
    implicit: {
      grant_types: ['implicit'],
      response_types: ['token'],
      redirect_uris: [REDIRECT_URI],
    },
    'urn:ietf:params:oauth:grant-type:jwt-bearer': {
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    },
  }

  it.each(Object.keys(bodies))(
    '%s is not allowed by default → 400 invalid_client_metadata',
    async (grant) => {
      await expectRefused(() => postJson(server.url, bodies[grant]), 400, 'invalid_client_metadata')
    },
  )

  describe('with every grant listed in registration.allowedGrantTypes', () => {
    let permissive: TestServer
    beforeAll(async () => {
      permissive = await startTestServer({
        registration: {
          rateLimit: false,
          allowedGrantTypes: [
            'authorization_code',
            'refresh_token',
            'client_credentials',
            'password',
            'implicit',
            'urn:ietf:params:oauth:grant-type:jwt-bearer',
          ],
        },
        // docs/decisions.md A42: password and implicit register only where they are served.
        authorization: { implicit: true, password: true },
      })
    })
    afterAll(async () => {
      await permissive.close()
    })

    // A42: jwt-bearer is refused even when listed (test/http/register-unserved-grants.test.ts).
    const served = Object.keys(bodies).filter((grant) => !grant.endsWith(':jwt-bearer'))
    it.each(served)('%s → 201 and is registered', async (grant) => {
      const result = await postJson(permissive.url, bodies[grant])
      expect(result.status, result.text).toBe(201)
      expect(result.json?.grant_types).toEqual([grant])
    })

    it('saml2-bearer is never supported → 400 invalid_client_metadata', async () => {
      const result = await postJson(permissive.url, {
        grant_types: ['urn:ietf:params:oauth:grant-type:saml2-bearer'],
      })
      expectOAuthError(result, 400, 'invalid_client_metadata')
    })

    it("A39 / RFC 6749 §4.4: 'none' with client_credentials → 400 invalid_client_metadata", async () => {
      const before = (await permissive.store.listClients()).length
      const result = await postJson(permissive.url, {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'none',
      })
      expectOAuthError(result, 400, 'invalid_client_metadata')
      expect((await permissive.store.listClients()).length).toBe(before)
    })

    it('OIDC Registration §2: implicit for a web client on loopback http → invalid_redirect_uri', async () => {
      const result = await postJson(permissive.url, {
        grant_types: ['implicit'],
        response_types: ['token'],
        redirect_uris: ['http://127.0.0.1:8080/cb'],
      })
      expectOAuthError(result, 400, 'invalid_redirect_uri')
    })
  })

  it('saml2-bearer → 400 invalid_client_metadata', async () => {
    await expectRefused(
      () =>
        postJson(server.url, {
          redirect_uris: [REDIRECT_URI],
          grant_types: ['urn:ietf:params:oauth:grant-type:saml2-bearer'],
        }),
      400,
      'invalid_client_metadata',
    )
  })

  it('an unknown grant type → 400 invalid_client_metadata', async () => {
    await expectRefused(
      () => postJson(server.url, { redirect_uris: [REDIRECT_URI], grant_types: ['magic'] }),
      400,
      'invalid_client_metadata',
    )
  })

  it.each<[string, Record<string, unknown>]>([
    [
      'authorization_code with response_types token',
      { grant_types: ['authorization_code'], response_types: ['token'] },
    ],
    [
      'refresh_token with response_types code',
      { grant_types: ['refresh_token'], response_types: ['code'] },
    ],
    [
      'authorization_code with response_types []',
      { grant_types: ['authorization_code'], response_types: [] },
    ],
  ])('R7591-24: an inconsistent pair (%s) → 400 invalid_client_metadata', async (_name, fields) => {
    await expectRefused(
      () => postJson(server.url, { redirect_uris: [REDIRECT_URI], ...fields }),
      400,
      'invalid_client_metadata',
    )
  })
})

describe('R7591-27 to R7591-31: client authentication and keys', () => {
  it('R7591-28: jwks and jwks_uri together → 400 invalid_client_metadata', async () => {
    await expectRefused(
      () =>
        postJson(server.url, {
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [publicJwk] },
          jwks_uri: 'https://client.example/jwks.json',
        }),
      400,
      'invalid_client_metadata',
    )
  })

  it.each(['client_secret_jwt', 'tls_client_auth', 'self_signed_tls_client_auth', 'bogus', ''])(
    "R7591-27: unsupported token_endpoint_auth_method '%s' → 400 invalid_client_metadata",
    async (method) => {
      await expectRefused(
        () =>
          postJson(server.url, {
            redirect_uris: [REDIRECT_URI],
            token_endpoint_auth_method: method,
          }),
        400,
        'invalid_client_metadata',
      )
    },
  )

  it('R7591-31: private_key_jwt without jwks or jwks_uri → 400 invalid_client_metadata', async () => {
    await expectRefused(
      () =>
        postJson(server.url, {
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: 'private_key_jwt',
        }),
      400,
      'invalid_client_metadata',
    )
  })

  it('R7591-29 / OIDC Registration §2: a private key in jwks → 400 invalid_client_metadata', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = await exportJWK(privateKey)
    await expectRefused(
      () =>
        postJson(server.url, {
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [privateJwk] },
        }),
      400,
      'invalid_client_metadata',
    )
  })

  it('private_key_jwt with a valid public jwks → 201 without a client_secret', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
    })
    expect(result.status).toBe(201)
    expect(result.json?.jwks).toEqual({ keys: [publicJwk] })
    expect(result.json).not.toHaveProperty('client_secret')
  })
})

describe('A13: scope', () => {
  it.each([
    ['an unknown scope', 'admin'],
    ['a mix of known and unknown scopes', 'read admin'],
  ])('%s → 400 invalid_client_metadata', async (_name, scope) => {
    await expectRefused(
      () => postJson(server.url, { redirect_uris: [REDIRECT_URI], scope }),
      400,
      'invalid_client_metadata',
    )
  })

  it('a subset of the allowed scopes is registered as asked', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI], scope: 'read' })
    expect(result.status).toBe(201)
    expect(result.json?.scope).toBe('read')
  })

  it('registration.allowedScopes narrows what a dynamic client may ask for', async () => {
    const narrow = await startTestServer({
      scopes: ['read', 'write', 'admin'],
      registration: { rateLimit: false, allowedScopes: ['read'] },
    })
    try {
      const refused = await postJson(narrow.url, { redirect_uris: [REDIRECT_URI], scope: 'write' })
      expectOAuthError(refused, 400, 'invalid_client_metadata')
      const defaulted = await postJson(narrow.url, { redirect_uris: [REDIRECT_URI] })
      expect(defaulted.json?.scope).toBe('read')
    } finally {
      await narrow.close()
    }
  })
})
