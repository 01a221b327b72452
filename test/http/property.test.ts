import * as fc from 'fast-check'
import type { CryptoKey, JWK } from 'jose'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpResult } from '../support/http-helpers.js'
import { postJson, postRaw, REDIRECT_URI, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const STATEMENT_ISSUER = 'https://statements.example'

/** Every member name the registration endpoint gives meaning to, and a few it must ignore. */
const FIELD_NAMES = [
  'redirect_uris',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'application_type',
  'client_name',
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'scope',
  'contacts',
  'jwks_uri',
  'jwks',
  'software_id',
  'software_version',
  'software_statement',
  'client_id',
  'client_secret',
  'client_name#en',
  'client_name#ja-Jpan-JP',
  'client_name#JA-jpan-jp',
  'logo_uri#fr',
  'tos_uri#de',
  'policy_uri#not a tag',
  'client_uri#',
  '#en',
  '__proto__',
  'constructor',
] as const

/** Values that get past the type checks and into the rule modules. */
const plausibleScalar = fc.constantFrom<unknown>(
  REDIRECT_URI,
  'http://127.0.0.1:8080/cb',
  'http://[::1]/cb',
  'http://evil.example/cb',
  'cursor://callback',
  'com.example.app:/cb',
  'javascript:alert(1)',
  'data:text/html,x',
  'https://c.example/cb#frag',
  '/relative',
  'https://user:pw@c.example/',
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  'implicit',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'code',
  'token',
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'web',
  'native',
  'read',
  'read write',
  'admin',
  'ops@client.example',
  'a.b.c',
  '',
  '\u0000',
  '\ud800',
)
const plausibleJwk = fc.record(
  {
    kty: fc.constantFrom<unknown>('EC', 'RSA', 'OKP', 'oct', 1, null),
    crv: fc.constantFrom<unknown>('P-256', 'Ed25519', 'X', 3),
    x: fc.oneof(fc.string(), fc.base64String()),
    y: fc.oneof(fc.string(), fc.base64String()),
    n: fc.base64String(),
    e: fc.constantFrom<unknown>('AQAB', 0, []),
    d: fc.string(),
    k: fc.string(),
  },
  { requiredKeys: [] },
)
const plausibleValue: fc.Arbitrary<unknown> = fc.oneof(
  plausibleScalar,
  fc.array(plausibleScalar, { maxLength: 4 }),
  fc.webUrl(),
  fc.array(fc.webUrl(), { maxLength: 3 }),
  fc.record({ keys: fc.array(plausibleJwk, { maxLength: 2 }) }),
)
const memberValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue(), plausibleValue)
const memberName = fc.oneof(fc.constantFrom<string>(...FIELD_NAMES), fc.string())

/** A JSON object over the real metadata names (and random ones), with JSON or plausible values. */
const metadataObject = fc.dictionary(memberName, memberValue, { maxKeys: 8 })

type Attempt =
  | { readonly kind: 'raw'; readonly body: string | Uint8Array }
  | {
      readonly kind: 'statement'
      readonly body: Record<string, unknown>
      readonly claims: Record<string, unknown>
    }

const attempt: fc.Arbitrary<Attempt> = fc.oneof(
  fc.jsonValue().map((value): Attempt => ({ kind: 'raw', body: JSON.stringify(value) })),
  metadataObject.map((value): Attempt => ({ kind: 'raw', body: JSON.stringify(value) })),
  // Mostly valid registrations with random members on top, to reach the later rules.
  metadataObject.map(
    (value): Attempt => ({
      kind: 'raw',
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], ...value }),
    }),
  ),
  fc.string().map((text): Attempt => ({ kind: 'raw', body: text })),
  fc.string({ unit: 'binary' }).map((text): Attempt => ({ kind: 'raw', body: text })),
  fc.uint8Array({ maxLength: 256 }).map((bytes): Attempt => ({ kind: 'raw', body: bytes })),
  // A trusted issuer's statement whose claims are random metadata.
  fc
    .record({ body: metadataObject, claims: metadataObject })
    .map((value): Attempt => ({ kind: 'statement', ...value })),
)

describe('property: the registration endpoint never answers 5xx', () => {
  let server: TestServer
  let statementKey: CryptoKey
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true })
    statementKey = pair.privateKey
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'p1' }
    server = await startTestServer({
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
        softwareStatement: {
          trustedIssuers: [{ issuer: STATEMENT_ISSUER, jwks: { keys: [jwk] } }],
        },
      },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  async function perform(input: Attempt): Promise<HttpResult> {
    if (input.kind === 'raw') {
      return postRaw(server.url, input.body, { 'Content-Type': 'application/json' })
    }
    const claims = Object.fromEntries(
      Object.entries(input.claims).filter(([name]) => !['iss', 'exp', 'nbf', 'iat'].includes(name)),
    )
    const statement = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'p1' })
      .setIssuer(STATEMENT_ISSUER)
      .setIssuedAt()
      .sign(statementKey)
    return postJson(server.url, { ...input.body, software_statement: statement })
  }

  it('R7591-18 / R7591-19 / issue rule: 2000 random bodies → 201, or a 4xx JSON object with a string error', {
    timeout: 300_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(attempt, async (input) => {
        const result = await perform(input)
        if (result.status === 201) {
          expect(typeof result.json?.client_id).toBe('string')
          return
        }
        expect(result.status, result.text).toBeGreaterThanOrEqual(400)
        expect(result.status, result.text).toBeLessThan(500)
        expect(result.headers.get('content-type')).toMatch(/^application\/json/)
        expect(typeof result.json?.error, result.text).toBe('string')
      }),
      { numRuns: 2000 },
    )

    // Afterwards the server is still healthy.
    const registration = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expect(registration.status).toBe(201)
    const discovery = await send(`${server.url}/.well-known/oauth-authorization-server`)
    expect(discovery.status).toBe(200)
  })
})
