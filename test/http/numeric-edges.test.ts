import { CompactSign } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SigningKey } from '../support/client-assertions.js'
import { assertionForm, makeSigningKey, signAssertion } from '../support/client-assertions.js'
import { putClient, registerManaged } from '../support/client-configuration.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds, postJson, REDIRECT_URI } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestClient } from '../support/token-helpers.js'
import { createTestClient, postForm, random } from '../support/token-helpers.js'

/** Numbers at and beyond the safe-integer edge, as JSON can carry them (and one it cannot). */
const EDGES: readonly (readonly [string, unknown])[] = [
  ['2^53 - 1', 2 ** 53 - 1],
  ['2^53', 2 ** 53],
  ['1e300', 1e300],
  ['-1', -1],
  ['1.5', 1.5],
  ["'NaN', a string", 'NaN'],
]

/** Lower than the default (3600), to show the option reaches the token endpoint. */
const MAX_LIFETIME = 600

/**
 * Numbers a client sends never reach the store's integer check (src/store/kysely/column-values.ts,
 * which throws a RangeError): each is refused with an RFC-style error first, never a 500.
 */
describe('numeric claims and members at and beyond the safe-integer edge', () => {
  let server: TestServer
  let key: SigningKey
  let client: TestClient

  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false },
      clientAuthentication: { assertionMaxLifetimeSeconds: MAX_LIFETIME },
    })
    key = await makeSigningKey('ES256')
    client = await createTestClient(server.store, {
      method: 'private_key_jwt',
      grantTypes: ['client_credentials'],
      jwks: { keys: [key.publicJwk] },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  function tokenRequest(assertion: string): Promise<HttpResult> {
    return postForm(`${server.url}/token`, {
      grant_type: 'client_credentials',
      ...assertionForm(assertion),
    })
  }

  /** An assertion whose payload is `claims` written as raw JSON text, so 1e400 stays 1e400. */
  function rawAssertion(claims: string): Promise<string> {
    const now = nowSeconds()
    const payload =
      `{"iss":"${client.clientId}","sub":"${client.clientId}","aud":"${server.issuer}",` +
      `"iat":${now},"jti":"${random()}",${claims}}`
    return new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .sign(key.privateKey)
  }

  describe('RFC 7523 §3 ¶4: client_assertion exp', () => {
    it('exactly assertionMaxLifetimeSeconds ahead → 200; beyond it → 401 invalid_client', async () => {
      const at = await tokenRequest(
        await signAssertion(key, client.clientId, server.issuer, {
          exp: nowSeconds() + MAX_LIFETIME,
        }),
      )
      expect(at.status, at.text).toBe(200)
      const beyond = await tokenRequest(
        await signAssertion(key, client.clientId, server.issuer, {
          // Beyond it and the 60 s allowed for clock skew, by enough that the server's clock
          // ticking meanwhile cannot matter.
          exp: nowSeconds() + MAX_LIFETIME + 90,
        }),
      )
      expectOAuthError(beyond, 401, 'invalid_client')
      expect(beyond.json?.error_description).toContain(`more than ${MAX_LIFETIME} seconds ahead`)
    })

    it.each(EDGES)('exp %s → 401 invalid_client', async (_name, exp) => {
      const assertion = await signAssertion(key, client.clientId, server.issuer, { exp })
      expectOAuthError(await tokenRequest(assertion), 401, 'invalid_client')
    })

    it('exp 1e400, Infinity once parsed → 401 invalid_client', async () => {
      expectOAuthError(await tokenRequest(await rawAssertion('"exp":1e400')), 401, 'invalid_client')
    })

    it.each([
      ['revocation', '/revoke', { token: 'anything' }],
      ['introspection', '/introspect', { token: 'anything' }],
    ])('exp 2^53 at %s → 401 invalid_client as well', async (_name, path, form) => {
      const assertion = await signAssertion(key, client.clientId, server.issuer, { exp: 2 ** 53 })
      const result = await postForm(`${server.url}${path}`, {
        ...form,
        ...assertionForm(assertion),
      })
      expectOAuthError(result, 401, 'invalid_client')
    })
  })

  // RFC 7523 §3 ¶5: nbf in the past is fine, in the future refused; ¶6: iat is not relied on,
  // but jose holds every NumericDate to be a number (RFC 7519 §2).
  describe('client_assertion nbf and iat: refused or passed, never a 500', () => {
    it.each([
      ['nbf 2^53 - 1', { nbf: 2 ** 53 - 1 }, 401],
      ['nbf 2^53', { nbf: 2 ** 53 }, 401],
      ['nbf 1e300', { nbf: 1e300 }, 401],
      ['nbf -1', { nbf: -1 }, 200],
      ['nbf 1.5', { nbf: 1.5 }, 200],
      ["nbf 'NaN', a string", { nbf: 'NaN' }, 401],
      ['iat 2^53 - 1', { iat: 2 ** 53 - 1 }, 200],
      ['iat 2^53', { iat: 2 ** 53 }, 200],
      ['iat 1e300', { iat: 1e300 }, 200],
      ['iat -1', { iat: -1 }, 200],
      ['iat 1.5', { iat: 1.5 }, 200],
      ["iat 'NaN', a string", { iat: 'NaN' }, 401],
    ] as const)('%s → %s', async (_name, claims, status) => {
      const assertion = await signAssertion(key, client.clientId, server.issuer, claims)
      const result = await tokenRequest(assertion)
      if (status === 401) expectOAuthError(result, 401, 'invalid_client')
      else expect(result.status, result.text).toBe(200)
    })
  })

  describe('RFC 7591 §3.2.1 / RFC 7592 §2.2: time members a client cannot set', () => {
    it.each(EDGES)(
      'client_secret_expires_at %s in a PUT → 400 invalid_client_metadata',
      async (_n, value) => {
        const managed = await registerManaged(server.url, { redirect_uris: [REDIRECT_URI] })
        const result = await putClient(managed.uri, managed.token, {
          client_id: managed.clientId,
          redirect_uris: [REDIRECT_URI],
          client_secret_expires_at: value,
        })
        expectOAuthError(result, 400, 'invalid_client_metadata')
      },
    )

    it.each(EDGES)(
      'client_secret_expires_at and client_id_issued_at %s in a registration are the server’s to set',
      async (_n, value) => {
        const before = nowSeconds()
        const result = await postJson(server.url, {
          redirect_uris: [REDIRECT_URI],
          client_secret_expires_at: value,
          client_id_issued_at: value,
        })
        expect(result.status, result.text).toBe(201)
        expect(result.json?.client_secret_expires_at).toBe(0)
        expect(result.json?.client_id_issued_at).toBeGreaterThanOrEqual(before)
        expect(result.json?.client_id_issued_at).toBeLessThanOrEqual(nowSeconds())
      },
    )
  })
})
