import * as fc from 'fast-check'
import type { CryptoKey, JWK } from 'jose'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueInitialAccessToken } from '../../src/core/registration/initial-access-token.js'
import { metadataSchema } from '../../src/core/registration/metadata-schema.js'
import { signEs256 } from '../support/fuzz-jws.js'
import type { FuzzAnswer } from '../support/fuzz-oracles.js'
import { exchange, expectJsonAnswer, fuzzServer } from '../support/fuzz-oracles.js'
import {
  anyJson,
  contentType,
  fuzzRuns,
  fuzzText,
  fuzzTimeout,
  headerText,
  jsonNumber,
  jsonText,
  longText,
  percentEncode,
  timeValue,
} from '../support/fuzz-values.js'
import { nowSeconds, REDIRECT_URI } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

/**
 * Fuzzing the registration endpoint (RFC 7591 §3) and the client configuration endpoint
 * (RFC 7592 §2) over a real server. test/http/property.test.ts throws random bodies at
 * registration; this suite gives every member RFC 7591, RFC 7592 and OpenID Connect Registration
 * define values of every type, numbers at and beyond the safe-integer edge (as JSON numbers and
 * as literals JavaScript cannot hold), signs statements whose time claims are such numbers, and
 * reads each registration that succeeded back through RFC 7592.
 */

const STATEMENT_ISSUER = 'https://statements.example'
const STATEMENT_KID = 'fuzz-statement'

/** A client's public key, made before the arbitraries that hold it are. */
const CLIENT_JWK: JWK = await exportJWK(
  (await generateKeyPair('ES256', { extractable: true })).publicKey,
)

/**
 * Every member the registration endpoint reads (its schema), and members only a response
 * should carry (RFC 7591 §3.2.1, RFC 7592 §3), OpenID Connect Registration ones it ignores, and
 * localised ones (RFC 7591 §2.2).
 */
const MEMBERS: readonly string[] = [
  ...Object.keys(metadataSchema.shape),
  'software_statement',
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
  'default_max_age',
  'require_auth_time',
  'expires_in',
  'token_endpoint_auth_signing_alg',
  'post_logout_redirect_uris',
  'client_name#en',
  'logo_uri#ja-Jpan-JP',
]

/** Values that pass a member's type check, to reach the rules behind it. */
const PLAUSIBLE: Readonly<Record<string, readonly unknown[]>> = {
  redirect_uris: [[REDIRECT_URI], ['http://127.0.0.1/cb'], ['com.example.app:/cb'], []],
  token_endpoint_auth_method: ['none', 'client_secret_basic', 'private_key_jwt', 'tls_client_auth'],
  grant_types: [['authorization_code'], ['client_credentials'], ['implicit'], ['refresh_token']],
  response_types: [['code'], ['token'], ['code id_token'], []],
  scope: ['read', 'read write', 'admin', ''],
  application_type: ['web', 'native', 'service'],
  contacts: [['ops@client.example'], ['not an address']],
  client_uri: ['https://client.example/', 'http://client.example/'],
  jwks_uri: ['https://client.example/jwks.json', 'http://127.0.0.1:1/jwks'],
}

describe.concurrent('fuzz: registration and client configuration never answer 5xx', () => {
  let server: TestServer
  let statementKey: CryptoKey

  beforeAll(async () => {
    const statement = await generateKeyPair('ES256', { extractable: true })
    statementKey = statement.privateKey
    const trusted: JWK = { ...(await exportJWK(statement.publicKey)), kid: STATEMENT_KID }
    server = await startTestServer({
      registration: {
        rateLimit: false,
        allowedGrantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        softwareStatement: {
          trustedIssuers: [{ issuer: STATEMENT_ISSUER, jwks: { keys: [trusted] } }],
        },
      },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  /** A client registered just now, for one run: its 201 body (RFC 7591 §3.2.1). */
  async function registerFresh(): Promise<Record<string, unknown>> {
    const created = await exchange(`${server.url}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }),
    })
    expect(created.status, created.text).toBe(201)
    return created.json ?? {}
  }

  /** A value for `member`: a plausible one, any JSON, or a number at an edge. */
  function memberValue(member: string): fc.Arbitrary<unknown> {
    const plausible = PLAUSIBLE[member]
    const numbers = fc.oneof(jsonNumber, fc.array(jsonNumber, { maxLength: 3 }))
    const jwks = fc.oneof(
      fc.record({
        keys: fc.array(
          fc.oneof(
            fc.constant(CLIENT_JWK),
            // A real key with members of every type beside it, and keys whose own members are numbers.
            fc
              .dictionary(fc.constantFrom('kid', 'use', 'alg', 'exp', 'key_ops'), anyJson, {
                maxKeys: 3,
              })
              .map((extra) => ({ ...CLIENT_JWK, ...extra })),
            fc.record({
              kty: fc.constantFrom<unknown>('EC', 'RSA', 'OKP', 1),
              crv: fc.constantFrom<unknown>('P-256', 'Ed25519', 2 ** 53),
              x: jsonNumber,
              y: jsonNumber,
              n: jsonNumber,
              e: jsonNumber,
            }),
          ),
          { maxLength: 3 },
        ),
      }),
      anyJson,
    )
    // Plausible values weigh more, so that requests get past the type checks to later rules.
    const arbitraries: fc.WeightedArbitrary<unknown>[] = [
      { weight: 1, arbitrary: anyJson },
      { weight: 1, arbitrary: numbers },
      { weight: 1, arbitrary: fuzzText(300) },
    ]
    if (plausible !== undefined) {
      arbitraries.push({ weight: 3, arbitrary: fc.constantFrom(...plausible) })
    }
    if (member === 'jwks') arbitraries.push({ weight: 3, arbitrary: jwks })
    return fc.oneof(...arbitraries)
  }

  /** A registration body: mostly valid, with some members replaced by anything. */
  const body = fc.oneof(
    { weight: 1, arbitrary: anyJson },
    {
      weight: 4,
      arbitrary: fc
        .uniqueArray(fc.constantFrom(...MEMBERS), { minLength: 1, maxLength: 4 })
        .chain((names) =>
          fc.tuple(
            fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
            fc.tuple(...names.map((name) => memberValue(name).map((v) => [name, v] as const))),
          ),
        )
        .map(([withRedirect, members]) => ({
          ...(withRedirect ? { redirect_uris: [REDIRECT_URI] } : {}),
          ...Object.fromEntries(members),
        })),
    },
  )

  /** Content-Types a JSON body may come with: the right one and its spellings, and wrong ones. */
  const jsonType = contentType('application/json', [
    'application/json; charset=utf-8',
    'APPLICATION/JSON;charset="UTF-8"',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
  ])

  /**
   * Reads a registration that succeeded back through its registration_client_uri: whatever the
   * request held, what was stored must read back (RFC 7592 §2.1), and the numbers the server
   * wrote itself are safe integers (RFC 7591 §3.2.1: seconds since the epoch).
   */
  async function expectReadable(answer: FuzzAnswer, input: string): Promise<void> {
    const created = answer.json ?? {}
    expect(typeof created.client_id, input).toBe('string')
    expect(Number.isSafeInteger(created.client_id_issued_at), input).toBe(true)
    if ('client_secret_expires_at' in created) {
      expect(Number.isSafeInteger(created.client_secret_expires_at), input).toBe(true)
    }
    const uri = created.registration_client_uri
    const token = created.registration_access_token
    if (typeof uri !== 'string' || typeof token !== 'string') return
    const read = await exchange(uri, { headers: { Authorization: `Bearer ${token}` } })
    expectJsonAnswer(read, `GET after ${input}`)
    expect(read.status, `GET after ${input}: ${read.text}`).toBe(200)
  }

  it('RFC 7591 §2 / §3.2.2: every member with any type or number edge → 201 that reads back, or an RFC error', {
    timeout: fuzzTimeout(),
  }, async () => {
    const request = fc.tuple(body, jsonType)
    await fuzzServer(server.url, request, 1200, async ([value, type]) => {
      const text = jsonText(value)
      const answer = await exchange(`${server.url}/register`, {
        method: 'POST',
        headers: { 'Content-Type': type },
        body: text,
      })
      const input = `POST /register (${type}) ${text}`
      expectJsonAnswer(answer, input)
      if (answer.status === 201) await expectReadable(answer, input)
      else expect(answer.status, `${input}\n→ ${answer.text}`).toBeGreaterThanOrEqual(400)
    })
  })

  /** `valid` four times in five, else any JSON: most statements get through to registration. */
  function mostly(valid: unknown): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: 4, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: anyJson })
  }

  /** A statement's claims: its issuer, time claims of any value, and metadata members. */
  const statementClaims = fc.record(
    {
      iss: mostly(STATEMENT_ISSUER),
      iat: timeValue(0),
      exp: timeValue(600),
      nbf: timeValue(-10),
      software_id: mostly('fuzz-software'),
      redirect_uris: mostly([REDIRECT_URI]),
      client_name: mostly('Fuzzed client'),
      grant_types: mostly(['authorization_code']),
      jwks: fc.oneof(mostly({ keys: [CLIENT_JWK] }), memberValue('jwks')),
    },
    { requiredKeys: ['iss'] },
  )

  it('RFC 7591 §2.3 / §3.2.2: statements whose exp, iat and nbf are any number or type → 201 that reads back, or an RFC error', {
    timeout: fuzzTimeout(),
  }, async () => {
    const request = fc.tuple(
      statementClaims,
      fc.oneof(
        { weight: 4, arbitrary: fc.constant<Record<string, unknown>>({}) },
        { weight: 1, arbitrary: fc.record({ typ: anyJson, crit: anyJson }, { requiredKeys: [] }) },
      ),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant({}) },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.constantFrom(...MEMBERS), anyJson, { maxKeys: 2 }),
        },
      ),
    )
    await fuzzServer(server.url, request, 500, async ([claims, header, outside]) => {
      // Signed by hand, so 1e400 reaches the verifier as written and any crit goes out.
      const statement = await signEs256(
        { ...header, alg: 'ES256', kid: STATEMENT_KID },
        claims,
        statementKey,
      )
      const text = jsonText({
        redirect_uris: [REDIRECT_URI],
        ...outside,
        software_statement: statement,
      })
      const answer = await exchange(`${server.url}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: text,
      })
      const input = `statement ${jsonText(claims)} header ${jsonText(header)} body ${text}`
      expectJsonAnswer(answer, input)
      if (answer.status === 201) await expectReadable(answer, input)
    })
  })

  /** Authorization headers for the configuration endpoint: the right token, near misses, junk. */
  type Credential =
    | { readonly kind: 'own' }
    | { readonly kind: 'none' }
    | { readonly kind: 'header'; readonly value: string }
    | { readonly kind: 'twisted'; readonly how: 'lower' | 'basic' | 'extra' | 'cut' | 'query' }

  const credential: fc.Arbitrary<Credential> = fc.oneof(
    fc.constant<Credential>({ kind: 'own' }),
    fc.constant<Credential>({ kind: 'none' }),
    fc
      .oneof(
        headerText,
        headerText.map((t) => `Bearer ${t}`),
      )
      .map((value): Credential => ({ kind: 'header', value })),
    fc
      .constantFrom('lower', 'basic', 'extra', 'cut', 'query')
      .map((how): Credential => ({ kind: 'twisted', how })),
  )

  /**
   * Where the request goes: the client's own URI, or another path under /register. Long, but
   * under Node's 16 KiB header limit once percent-encoded (beyond it Node answers 431 itself).
   */
  const target = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string | null>(null) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.oneof(fuzzText(300), longText(1500)), fc.boolean())
        // Percent-encoded as one segment, or left to the URL parser (`%zz`, `..`, `?` and all).
        .map(([text, encoded]) => (encoded ? percentEncode(text) : text)),
    },
  )

  const request = fc.record({
    method: fc.constantFrom('GET', 'PUT', 'DELETE'),
    credential,
    target,
    // PUT bodies: the client's own id with members of any value, or any JSON at all.
    body: fc.oneof(
      body.map((value) => ({ value, withId: true })),
      anyJson.map((value) => ({ value, withId: false })),
    ),
    rotate: fc.oneof(fc.constant<string | null>(null), fc.constant('true'), fuzzText(40)),
  })

  it('RFC 7592 §2.1-2.3 / §3: GET, PUT and DELETE with any token, path and body → only the own token succeeds', {
    timeout: fuzzTimeout(),
  }, async () => {
    await fuzzServer(server.url, request, 400, async (r) => {
      const own = await registerFresh()
      const clientId = String(own.client_id)
      const token = String(own.registration_access_token)
      const uri = new URL(
        r.target === null
          ? String(own.registration_client_uri)
          : `${server.url}/register/${r.target}`,
      )
      if (r.rotate !== null) uri.searchParams.set('rotate_client_secret', r.rotate)
      const headers: Record<string, string> = {}
      const c = r.credential
      if (c.kind === 'own') headers.Authorization = `Bearer ${token}`
      else if (c.kind === 'header') headers.Authorization = c.value
      else if (c.kind === 'twisted') {
        if (c.how === 'lower') headers.Authorization = `Bearer ${token.toLowerCase()}`
        if (c.how === 'basic') headers.Authorization = `Basic ${token}`
        if (c.how === 'extra') headers.Authorization = `Bearer ${token}x`
        if (c.how === 'cut') headers.Authorization = `Bearer ${token.slice(0, -1)}`
        if (c.how === 'query') uri.searchParams.set('access_token', token)
      }
      let text: string | undefined
      if (r.method === 'PUT') {
        headers['Content-Type'] = 'application/json'
        const value = r.body.value
        const withId =
          r.body.withId && typeof value === 'object' && value !== null && !Array.isArray(value)
        text = jsonText(withId ? { ...value, client_id: clientId } : value)
      }
      const answer = await exchange(uri.href, {
        method: r.method,
        headers,
        ...(text === undefined ? {} : { body: text }),
      })
      const input = `${r.method} ${uri.href} ${JSON.stringify(headers)} ${text ?? ''}`
      expectJsonAnswer(answer, input)
      // RFC 7592 §3: only the client's own registration access token, on its own URI, works.
      const ownRequest = c.kind === 'own' && r.target === null
      if (!ownRequest) expect(answer.status, input).toBeGreaterThanOrEqual(400)
      if (answer.status === 200) expect(answer.json?.client_id, input).toBe(clientId)
      if (answer.status === 204) expect(answer.text, input).toBe('')
    })
  })

  it('RFC 7592 §2.2: a PUT of members at the number edge reads back as stored, through GET', {
    timeout: fuzzTimeout(),
  }, async () => {
    // The members a client may not change (client_secret_expires_at, client_id_issued_at) and
    // those it may, each given numbers JavaScript cannot hold exactly.
    const edge = fc.record(
      {
        client_secret_expires_at: jsonNumber,
        client_id_issued_at: jsonNumber,
        default_max_age: jsonNumber,
        expires_in: jsonNumber,
        software_version: fc.oneof(jsonNumber, fc.string()),
      },
      { requiredKeys: [] },
    )
    await fuzzServer(server.url, edge, 150, async (members) => {
      const own = await registerFresh()
      const uri = String(own.registration_client_uri)
      const text = jsonText({
        redirect_uris: [REDIRECT_URI],
        client_id: own.client_id,
        ...members,
      })
      const put = await exchange(uri, {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${String(own.registration_access_token)}`,
        },
        body: text,
      })
      expectJsonAnswer(put, `PUT ${text}`)
      if (put.status !== 200) return
      const read = await exchange(uri, {
        headers: { Authorization: `Bearer ${String(put.json?.registration_access_token)}` },
      })
      expectJsonAnswer(read, `GET after PUT ${text}`)
      expect(read.status).toBe(200)
      expect(Number.isSafeInteger(read.json?.client_id_issued_at), read.text).toBe(true)
      expect(read.json?.client_id_issued_at, read.text).toBeLessThanOrEqual(nowSeconds() + 1)
    })
  })
})

describe('fuzz: initial access tokens (RFC 7591 §3) of any shape → 401 invalid_token, never 5xx', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, mode: 'initial_access_token' },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('RFC 6750 §2.1 / §3.1: any Authorization header on an initial-access-token server → an RFC error', {
    timeout: fuzzTimeout(),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          headerText,
          headerText.map((t) => `Bearer ${t}`),
          fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Bearer a b', 'Bearer ====', 'Basic x'),
        ),
        async (authorization) => {
          const answer = await exchange(`${server.url}/register`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: authorization },
            body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }),
          })
          const input = `Authorization: ${authorization}`
          expectJsonAnswer(answer, input)
          expect({ status: answer.status, error: answer.json?.error }, input).toEqual({
            status: 401,
            error: 'invalid_token',
          })
          expect(answer.headers.get('www-authenticate'), input).toMatch(/^Bearer/)
        },
      ),
      { numRuns: fuzzRuns(300) },
    )
    // Still serving: healthy, and a real initial access token still registers a client.
    const health = await exchange(`${server.url}/healthz`)
    expect(health.status).toBe(200)
    const { token } = await issueInitialAccessToken(server.store, {}, nowSeconds())
    const registered = await exchange(`${server.url}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }),
    })
    expect(registered.status, registered.text).toBe(201)
  })
})
