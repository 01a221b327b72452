import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SigningKey } from '../support/client-assertions.js'
import {
  assertionForm,
  makeSigningKey,
  signAssertion,
  unsecuredAssertion,
} from '../support/client-assertions.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { ClientOptions, FormValues, TestClient } from '../support/token-helpers.js'
import { basic, createTestClient, postForm, random } from '../support/token-helpers.js'

const CC = { grant_type: 'client_credentials' } as const

/** RFC 6749 §5.2 with docs/decisions.md A21: 401 invalid_client, and a Basic challenge when expected. */
function expectInvalidClient(result: HttpResult, challenge: boolean): void {
  expectOAuthError(result, 401, 'invalid_client')
  expect(result.headers.get('cache-control')).toBe('no-store')
  if (challenge) expect(result.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/)
  else expect(result.headers.get('www-authenticate')).toBeNull()
}

describe('client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2)', () => {
  let server: TestServer
  let token: string
  beforeAll(async () => {
    server = await startTestServer()
    token = `${server.url}/token`
  })
  afterAll(async () => {
    await server.close()
  })

  function client(options: ClientOptions = {}): Promise<TestClient> {
    return createTestClient(server.store, { grantTypes: ['client_credentials'], ...options })
  }

  function post(form: FormValues, headers: Record<string, string> = {}): Promise<HttpResult> {
    return postForm(token, { ...CC, ...form }, headers)
  }

  describe('client_secret_basic and client_secret_post', () => {
    it('R21-01: client_secret_basic → 200', async () => {
      const c = await client()
      const result = await post({}, basic(c.clientId, c.secret ?? ''))
      expect(result.status, result.text).toBe(200)
    })

    it('R21-01: client_secret_post → 200', async () => {
      const c = await client({ method: 'client_secret_post' })
      const result = await post({ client_id: c.clientId, client_secret: c.secret ?? '' })
      expect(result.status, result.text).toBe(200)
    })

    it.each([
      ['a basic client may send its secret in the body', 'client_secret_basic', 'post'],
      ['a post client may send its secret by Basic', 'client_secret_post', 'basic'],
    ] as const)('A12: %s', async (_name, method, how) => {
      const c = await client({ method })
      const secret = c.secret ?? ''
      const result =
        how === 'basic'
          ? await post({}, basic(c.clientId, secret))
          : await post({ client_id: c.clientId, client_secret: secret })
      expect(result.status, result.text).toBe(200)
    })

    it('R6749-05: an id and secret holding :, +, % and space work when form-urlencoded (%3A %2B %25 +)', async () => {
      const c = await client({ clientId: 'agent:1+2%3 x', secret: 'p:q+r%s t' })
      const header = basic(c.clientId, c.secret ?? '')
      expect(header.Authorization).toBe(
        `Basic ${Buffer.from('agent%3A1%2B2%253+x:p%3Aq%2Br%25s+t').toString('base64')}`,
      )
      const result = await post({}, header)
      expect(result.status, result.text).toBe(200)
    })

    it('R6749-05: the same credentials sent without the form-urlencoding fail', async () => {
      const c = await client({ clientId: `x${random()}`, secret: 'a+b' })
      const raw = `Basic ${Buffer.from(`${c.clientId}:a+b`).toString('base64')}`
      expectInvalidClient(await post({}, { Authorization: raw }), true)
    })

    it.each([
      ['a wrong secret', (c: TestClient) => basic(c.clientId, 'wrong')],
      ['an unknown client', () => basic(random(), 'whatever')],
      ['a malformed header', () => ({ Authorization: 'Basic !!!' })],
      ['a header without a colon', () => ({ Authorization: `Basic ${btoa('justanid')}` })],
    ])(
      'R6749-02: Basic with %s → 401 invalid_client with WWW-Authenticate: Basic',
      async (_name, make) => {
        const c = await client()
        expectInvalidClient(await post({}, make(c)), true)
      },
    )

    it('R6749-03 / A21: a wrong client_secret in the body → 401 invalid_client, no Basic challenge', async () => {
      const c = await client({ method: 'client_secret_post' })
      expectInvalidClient(await post({ client_id: c.clientId, client_secret: 'wrong' }), false)
    })

    it('R6749-08: a confidential client sending only its client_id → 401 invalid_client', async () => {
      const c = await client()
      expectInvalidClient(await post({ client_id: c.clientId }), false)
    })

    it('no client credentials at all → 401 invalid_client with a Basic challenge (RFC 9110 §11.6.1)', async () => {
      expectInvalidClient(await post({}), true)
    })

    it('R6749-05: a client_secret in the query string is never read', async () => {
      const c = await client({ method: 'client_secret_post' })
      const url = `${token}?client_secret=${encodeURIComponent(c.secret ?? '')}`
      expectInvalidClient(await postForm(url, { ...CC, client_id: c.clientId }), false)
    })

    it('A38: a client whose secret has expired → 401 invalid_client', async () => {
      const c = await client({ clientSecretExpiresAt: nowSeconds() - 1 })
      expectInvalidClient(await post({}, basic(c.clientId, c.secret ?? '')), true)
    })

    it('A38: a deleted client → 401 invalid_client, so that it registers again', async () => {
      const c = await client()
      expect((await post({}, basic(c.clientId, c.secret ?? ''))).status).toBe(200)
      await server.store.deleteClient(c.clientId)
      expectInvalidClient(await post({}, basic(c.clientId, c.secret ?? '')), true)
    })

    it('A12: a public client (none) presenting a secret → 401 invalid_client', async () => {
      const c = await createTestClient(server.store, { method: 'none' })
      expectInvalidClient(
        await postForm(
          token,
          { grant_type: 'authorization_code', code: random() },
          basic(c.clientId, 'anything'),
        ),
        true,
      )
    })
  })

  describe('R6749-04: two authentication methods in one request → 400 invalid_request', () => {
    it.each([
      ['Basic and client_secret', true, { client_secret: 'x' }],
      ['Basic and client_assertion', true, { client_assertion: 'a.b.c' }],
      [
        'client_secret and client_assertion',
        false,
        { client_secret: 'x', client_assertion: 'a.b.c' },
      ],
    ])('%s', async (_name, withBasic, form) => {
      const c = await client()
      const result = await post(
        { client_id: c.clientId, ...form },
        withBasic ? basic(c.clientId, c.secret ?? '') : {},
      )
      expectOAuthError(result, 400, 'invalid_request')
    })

    it('Basic naming one client and client_id naming another → invalid_request', async () => {
      const c = await client()
      expectOAuthError(
        await post({ client_id: random() }, basic(c.clientId, c.secret ?? '')),
        400,
        'invalid_request',
      )
    })
  })

  describe('private_key_jwt (RFC 7523 §2.2, §3; docs/decisions.md A25, A26)', () => {
    let key: SigningKey
    let jwksClient: TestClient
    beforeAll(async () => {
      key = await makeSigningKey('ES256')
      jwksClient = await client({ method: 'private_key_jwt', jwks: { keys: [key.publicJwk] } })
    })

    function withAssertion(assertion: string, extra: FormValues = {}): Promise<HttpResult> {
      return post({ ...assertionForm(assertion), ...extra })
    }

    it.each([
      ['the issuer as a string', () => server.issuer],
      ['the issuer in a one-member array', () => [server.issuer]],
      ['the token endpoint URL (A25)', () => `${server.issuer}/token`],
    ])('a valid assertion with aud %s → 200', async (_name, audience) => {
      const assertion = await signAssertion(key, jwksClient.clientId, audience())
      const result = await withAssertion(assertion)
      expect(result.status, result.text).toBe(200)
    })

    it('client_id in the body naming the same client is accepted', async () => {
      const assertion = await signAssertion(key, jwksClient.clientId, server.issuer)
      const result = await withAssertion(assertion, { client_id: jwksClient.clientId })
      expect(result.status, result.text).toBe(200)
    })

    it('R7523-05 / A26: the same assertion (jti) a second time → 401 invalid_client', async () => {
      const assertion = await signAssertion(key, jwksClient.clientId, server.issuer)
      expect((await withAssertion(assertion)).status).toBe(200)
      expectInvalidClient(await withAssertion(assertion), false)
    })

    it('A26: of 10 concurrent uses of one assertion exactly one succeeds', async () => {
      const assertion = await signAssertion(key, jwksClient.clientId, server.issuer)
      const results = await Promise.all(Array.from({ length: 10 }, () => withAssertion(assertion)))
      expect(results.filter((r) => r.status === 200)).toHaveLength(1)
      for (const r of results.filter((r) => r.status !== 200)) expectInvalidClient(r, false)
    })

    it.each([
      ['R7523-03: aud another server', { aud: 'https://other.example' }],
      ['R7523-03: aud a two-member array', { aud: ['https://other.example', 'ISSUER'] }],
      ['R7523-04: exp in the past beyond the skew', { exp: nowSeconds() - 120 }],
      ['R7523-04: no exp', { exp: undefined }],
      ['R7523-07: nbf in the future beyond the skew', { nbf: nowSeconds() + 300 }],
      ['A26: no jti', { jti: undefined }],
      ['R7523-02: iss not the client_id', { iss: 'someone-else' }],
      ['R7523-02: sub not the client_id', { sub: 'someone-else' }],
    ])('%s → 401 invalid_client', async (_name, claims) => {
      const fixed = Object.fromEntries(
        Object.entries(claims).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.map((v) => (v === 'ISSUER' ? server.issuer : v)) : value,
        ]),
      )
      const assertion = await signAssertion(key, jwksClient.clientId, server.issuer, fixed)
      expectInvalidClient(await withAssertion(assertion), false)
    })

    it('R7523-06: an HMAC (HS256) assertion → 401 invalid_client', async () => {
      const now = nowSeconds()
      const assertion = await new SignJWT({ jti: random() })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(jwksClient.clientId)
        .setSubject(jwksClient.clientId)
        .setAudience(server.issuer)
        .setExpirationTime(now + 60)
        .sign(new TextEncoder().encode(random()))
      expectInvalidClient(await withAssertion(assertion), false)
    })

    it("R7523-06: alg 'none' → 401 invalid_client", async () => {
      expectInvalidClient(
        await withAssertion(unsecuredAssertion(jwksClient.clientId, server.issuer)),
        false,
      )
    })

    it('R7523-06: an unknown kid → 401 invalid_client', async () => {
      const assertion = await signAssertion(
        key,
        jwksClient.clientId,
        server.issuer,
        {},
        { kid: 'unknown' },
      )
      expectInvalidClient(await withAssertion(assertion), false)
    })

    it("R7523-06: signed by another key under the registered key's kid → 401 invalid_client", async () => {
      const other = await makeSigningKey('ES256')
      const assertion = await signAssertion(
        { ...other, kid: key.kid },
        jwksClient.clientId,
        server.issuer,
      )
      expectInvalidClient(await withAssertion(assertion), false)
    })

    it.each([
      ['another client_assertion_type', { client_assertion_type: 'urn:example:other' }],
      ['no client_assertion_type', { client_assertion_type: '' }],
      ['two JWTs in client_assertion', { double: 'yes' }],
    ])('R7523-01: %s → 401 invalid_client', async (_name, change) => {
      const assertion = await signAssertion(key, jwksClient.clientId, server.issuer)
      const form: Record<string, string> = assertionForm(assertion)
      if ('double' in change) form.client_assertion = `${assertion} ${assertion}`
      else form.client_assertion_type = change.client_assertion_type
      expectInvalidClient(await post(form), false)
    })

    it('client_id in the body naming another client than the assertion → 401 invalid_client', async () => {
      const assertion = await signAssertion(key, jwksClient.clientId, server.issuer)
      const other = await client({ method: 'private_key_jwt', jwks: { keys: [key.publicJwk] } })
      expectInvalidClient(await withAssertion(assertion, { client_id: other.clientId }), false)
    })

    it('A12: a private_key_jwt client presenting a secret → 401; a secret client presenting an assertion → 401', async () => {
      expectInvalidClient(await post({ client_id: jwksClient.clientId, client_secret: 'x' }), false)
      const secretClient = await client()
      const assertion = await signAssertion(key, secretClient.clientId, server.issuer)
      expectInvalidClient(await withAssertion(assertion), false)
    })
  })

  it('revocation and introspection authenticate the same way (R7523-10)', async () => {
    const key = await makeSigningKey('EdDSA')
    const c = await client({ method: 'private_key_jwt', jwks: { keys: [key.publicJwk] } })
    for (const path of ['/revoke', '/introspect']) {
      const assertion = await signAssertion(key, c.clientId, server.issuer)
      const ok = await postForm(`${server.url}${path}`, {
        token: random(),
        ...assertionForm(assertion),
      })
      expect(ok.status, ok.text).toBe(200)
      const replay = await postForm(`${server.url}${path}`, {
        token: random(),
        ...assertionForm(assertion),
      })
      expectInvalidClient(replay, false)
    }
  })

  it('the token endpoint answers GET with 405 and Allow', async () => {
    const result = await send(token)
    expect(result.status).toBe(405)
    expect(result.headers.get('allow')).toContain('POST')
  })
})
