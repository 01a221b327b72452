import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/core/client-auth/verify-client-assertion.js'
import {
  GRANT_TYPES as KNOWN_GRANT_TYPES,
  SAML2_BEARER,
} from '../../src/core/registration/client-metadata.js'
import type { SigningKey } from '../support/client-assertions.js'
import { makeSigningKey } from '../support/client-assertions.js'
import { signEs256 } from '../support/fuzz-jws.js'
import type { FuzzAnswer } from '../support/fuzz-oracles.js'
import { exchange, expectJsonAnswer, fuzzServer } from '../support/fuzz-oracles.js'
import type { Pairs as FuzzPairs } from '../support/fuzz-values.js'
import {
  anyJson,
  contentType,
  fuzzText,
  fuzzTimeout,
  headerText,
  JsonLiteral,
  jsonNumber,
  mutatedForm,
  NUMBER_LITERALS,
  numberText,
  timeValue,
} from '../support/fuzz-values.js'
import { nowSeconds } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestClient, TestUser } from '../support/token-helpers.js'
import {
  basic,
  codeRequest,
  createTestClient,
  createTestCode,
  createTestUser,
  random,
} from '../support/token-helpers.js'

/**
 * Fuzzing the token endpoint (RFC 6749 §3.2, every grant), revocation (RFC 7009) and
 * introspection (RFC 7662) over a real server: any form fields, repeated or not; Basic headers
 * of any bytes; client_assertion JWTs with any claims, including exp, iat and nbf at and beyond
 * the safe-integer edge. Every answer is 200 or an RFC 6749 §5.2 error, never a 5xx, and the
 * server serves on afterwards.
 */

/** The clients of the fuzzed requests, one per authentication method, and one whose secret died. */
type Subject = 'basic' | 'post' | 'public' | 'jwt' | 'expired'
const SUBJECTS: readonly Subject[] = ['basic', 'post', 'public', 'jwt', 'expired']

/**
 * A value the property fills in when it runs, from the server's state: a fresh code of the
 * subject (and its verifier and redirect URI), a fresh refresh or access token, the subject's
 * id and secret, the user's name and password.
 */
type Ref =
  | 'code'
  | 'verifier'
  | 'redirect_uri'
  | 'refresh_token'
  | 'access_token'
  | 'client_id'
  | 'client_secret'
  | 'username'
  | 'password'

/** A form value: text, or a reference to fill in (see Ref). */
type Slot = string | { readonly ref: Ref }

/** How the request authenticates, before whatever the form's own fields add. */
type Auth =
  | { readonly kind: 'own' }
  | { readonly kind: 'basic'; readonly id: Slot; readonly secret: Slot }
  | { readonly kind: 'basic-bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'authorization'; readonly value: string }
  | {
      readonly kind: 'assertion'
      readonly header: Readonly<Record<string, unknown>>
      readonly claims: Readonly<Record<string, unknown>>
      readonly type: string
      /** Signed for the private_key_jwt client; false: for the request's subject. */
      readonly ownClient: boolean
    }
  | { readonly kind: 'nothing' }

interface FuzzRequest {
  readonly subject: Subject
  readonly auth: Auth
  readonly pairs: Pairs
  readonly contentType: string
}

/** A claim left out of an assertion altogether. */
const OMIT = { omit: true } as const

/** Every grant type registrar knows by name, and a few it does not (RFC 8628, RFC 8693, case). */
const GRANT_TYPES: readonly string[] = [
  ...KNOWN_GRANT_TYPES,
  SAML2_BEARER,
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'AUTHORIZATION_CODE',
]

/** Parameters the three endpoints read, credentials, and numbers a client might add. */
const PARAMETER_NAMES = [
  'grant_type',
  'code',
  'code_verifier',
  'redirect_uri',
  'refresh_token',
  'scope',
  'resource',
  'username',
  'password',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'token',
  'token_type_hint',
  'assertion',
  'expires_in',
  'exp',
  'iat',
  'nbf',
  'max_age',
  'client_secret_expires_at',
] as const

const CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
])

/**
 * Values: the right ones (by reference), plausible ones, numbers as text, anything, up to
 * `maxLength` characters.
 */
function slotOf(maxLength: number): fc.Arbitrary<Slot> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom<Ref>(
          'code',
          'verifier',
          'redirect_uri',
          'refresh_token',
          'access_token',
          'client_id',
          'client_secret',
          'username',
          'password',
        )
        .map((ref): Slot => ({ ref })),
    },
    { weight: 2, arbitrary: fc.constantFrom<Slot>(...GRANT_TYPES) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Slot>(
        'read',
        'read write',
        'admin',
        'openid',
        'https://api.example/',
        'https://api.example/#frag',
        'urn:x',
        'access_token',
        'refresh_token',
        JWT_BEARER_ASSERTION_TYPE,
      ),
    },
    { weight: 2, arbitrary: numberText },
    { weight: 2, arbitrary: fuzzText(maxLength) },
  )
}

/** A form value: the body may hold 64 KiB, so values of a few thousand characters fit. */
const slot = slotOf(3000)

/**
 * A Basic user-id or password: form-encoded and then base64'd it grows up to 16 times (four
 * UTF-8 bytes, each %XX, then 4/3), and Node refuses headers over 16 KiB itself (431).
 */
const basicSlot = slotOf(600)

type Pairs = FuzzPairs<Slot>

/** What each grant sends (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6), by reference. */
const GRANT_TEMPLATES: Readonly<Record<string, readonly (readonly [string, Slot])[]>> = {
  authorization_code: [
    ['code', { ref: 'code' }],
    ['code_verifier', { ref: 'verifier' }],
    ['redirect_uri', { ref: 'redirect_uri' }],
  ],
  refresh_token: [
    ['refresh_token', { ref: 'refresh_token' }],
    ['scope', 'read'],
  ],
  client_credentials: [
    ['scope', 'read write'],
    ['resource', 'https://api.example/'],
  ],
  password: [
    ['username', { ref: 'username' }],
    ['password', { ref: 'password' }],
    ['scope', 'read'],
  ],
}

/** A form from a template: see mutatedForm; numbers are among the replacement values. */
function formFrom(template: Pairs): fc.Arbitrary<Pairs> {
  return mutatedForm(template, fc.oneof(numberText, slot), PARAMETER_NAMES)
}

/** Token requests: each grant's template, and grant types the server does not serve. */
const tokenForm: fc.Arbitrary<Pairs> = fc
  .constantFrom(...GRANT_TYPES)
  .chain((grant) =>
    formFrom([['grant_type', grant], ...(GRANT_TEMPLATES[grant] ?? [['assertion', 'a.b.c']])]),
  )

/** Revocation and introspection requests (RFC 7009 §2.1, RFC 7662 §2.1). */
const tokenHintForm: fc.Arbitrary<Pairs> = fc
  .tuple(
    fc.constantFrom<Slot>({ ref: 'access_token' }, { ref: 'refresh_token' }, { ref: 'code' }),
    fc.constantFrom<Slot>('access_token', 'refresh_token', 'id_token', 'urn:x'),
  )
  .chain(([token, hint]) =>
    formFrom([
      ['token', token],
      ['token_type_hint', hint],
    ]),
  )

/**
 * What a claim of an otherwise valid assertion may become: for the NumericDates (RFC 7519 §2),
 * numbers at and beyond every edge, JSON literals, values near now, and non-numbers; for the
 * others anything at all; and any claim may be left out.
 */
const CLAIM_VALUES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  exp: fc.oneof(jsonNumber, timeValue(60)),
  iat: fc.oneof(jsonNumber, timeValue(0)),
  nbf: fc.oneof(jsonNumber, timeValue(-10)),
  iss: anyJson,
  sub: anyJson,
  aud: fc.oneof(anyJson, fc.constant([{ ref: 'issuer' }, 'https://other.example'])),
  jti: fc.oneof(anyJson, fc.constant('always-the-same')),
}

/**
 * A client_assertion (RFC 7523 §2.2) that is valid but for one or two claims, and sometimes a
 * header member: so that each rule is reached on its own, not hidden behind an earlier one.
 * Most are the private_key_jwt client's own; the rest name the request's subject.
 */
const assertion: fc.Arbitrary<Auth> = fc
  .record({
    header: fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            alg: fc.constantFrom<unknown>('none', 'HS256', 'RS256', 'ES384', '', 1, null),
            kid: anyJson,
            typ: anyJson,
            crit: fc.constantFrom<unknown>(['exp'], ['b64'], [], 'exp', 1),
            b64: fc.boolean(),
            jku: fc.constant('https://evil.example/jwks'),
          },
          { requiredKeys: [] },
        ),
      },
    ),
    claims: fc
      .uniqueArray(fc.constantFrom(...Object.keys(CLAIM_VALUES)), { maxLength: 2 })
      .chain((names) =>
        fc.tuple(
          ...names.map((name) =>
            fc
              .oneof(
                { weight: 5, arbitrary: CLAIM_VALUES[name] ?? anyJson },
                { weight: 1, arbitrary: fc.constant<unknown>(OMIT) },
              )
              .map((value) => [name, value] as const),
          ),
        ),
      )
      .map((entries) => Object.fromEntries(entries)),
    type: fc.oneof(
      { weight: 9, arbitrary: fc.constant(JWT_BEARER_ASSERTION_TYPE) },
      { weight: 1, arbitrary: fuzzText(100) },
    ),
    ownClient: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  })
  .map((value): Auth => ({ kind: 'assertion', ...value }))

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Auth>({ kind: 'own' }) },
  {
    weight: 2,
    arbitrary: fc
      .record({ id: basicSlot, secret: basicSlot })
      .map(({ id, secret }): Auth => ({ kind: 'basic', id, secret })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 300 })
      .map((bytes): Auth => ({ kind: 'basic-bytes', bytes })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        headerText,
        headerText.map((text) => `Basic ${text}`),
      )
      .map((value): Auth => ({ kind: 'authorization', value })),
  },
  { weight: 3, arbitrary: assertion },
  { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'nothing' }) },
)

function requestWith(pairs: fc.Arbitrary<Pairs>): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    subject: fc.constantFrom(...SUBJECTS),
    auth,
    pairs,
    contentType: contentType('application/x-www-form-urlencoded', [
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'application/json',
      'multipart/form-data; boundary=x',
      'text/plain',
    ]),
  })
}

describe.concurrent('fuzz: token, revocation and introspection never answer 5xx', () => {
  let server: TestServer
  let user: TestUser
  let key: SigningKey
  let clients: Readonly<Record<Subject, TestClient>>

  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false },
      // The password grant is reachable; three failures lock the address, so the fuzzer costs
      // at most a few scrypt hashes (about 450 ms each) however often it tries.
      authorization: { password: true, loginThrottle: { max: 3, windowSeconds: 900 } },
    })
    user = await createTestUser(server.store)
    key = await makeSigningKey('ES256')
    const grantTypes = [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'password',
    ] as const
    clients = {
      basic: await createTestClient(server.store, { grantTypes }),
      post: await createTestClient(server.store, { grantTypes, method: 'client_secret_post' }),
      public: await createTestClient(server.store, {
        grantTypes: ['authorization_code', 'refresh_token'],
        method: 'none',
      }),
      jwt: await createTestClient(server.store, {
        grantTypes,
        method: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
      }),
      expired: await createTestClient(server.store, { grantTypes, clientSecretExpiresAt: 1 }),
    }
  })
  afterAll(async () => {
    await server.close()
  })

  /**
   * The claims of a valid assertion for `clientId` (RFC 7523 §3): iss = sub = client_id, the
   * issuer as aud (docs/decisions.md A25), exp in a minute, a fresh jti; `changes` on top.
   */
  function validClaims(
    clientId: string,
    changes: Readonly<Record<string, unknown>> = {},
  ): Record<string, unknown> {
    const base = { iss: clientId, sub: clientId, aud: server.issuer, exp: nowSeconds() + 60 }
    return { ...base, jti: random(), ...changes }
  }

  /** The form values and headers that authenticate `subject` as it registered. */
  async function ownCredentials(
    subject: Subject,
  ): Promise<{ form: [string, string][]; headers: Record<string, string> }> {
    const client = clients[subject]
    if (subject === 'jwt') {
      const claims = validClaims(client.clientId)
      const signed = await signEs256({ alg: 'ES256', kid: key.kid }, claims, key.privateKey)
      return {
        form: [
          ['client_assertion_type', JWT_BEARER_ASSERTION_TYPE],
          ['client_assertion', signed],
        ],
        headers: {},
      }
    }
    return { form: Object.entries(client.auth.form), headers: client.auth.headers }
  }

  /** Fills in a reference from the server's state, for `subject`. */
  async function resolve(subject: Subject, value: Slot, code: CodeCache): Promise<string> {
    if (typeof value === 'string') return value
    const client = clients[subject]
    switch (value.ref) {
      case 'code':
        return (await code.get()).code
      case 'verifier':
        return (await code.get()).verifier
      case 'redirect_uri':
        return (await code.get()).redirectUri
      case 'refresh_token':
        return (await code.tokens()).refresh
      case 'access_token':
        return (await code.tokens()).access
      case 'client_id':
        return client.clientId
      case 'client_secret':
        return client.secret ?? ''
      case 'username':
        return user.username
      case 'password':
        return user.password
    }
  }

  /**
   * One fresh code per request, made on first use, so that code, verifier and redirect_uri
   * belong together; and a pair of tokens, from redeeming another code of the basic client.
   */
  interface CodeCache {
    get(): ReturnType<typeof createTestCode>
    tokens(): Promise<{ readonly access: string; readonly refresh: string }>
  }

  function codeCache(subject: Subject): CodeCache {
    let code: ReturnType<typeof createTestCode> | undefined
    let tokens: Promise<{ access: string; refresh: string }> | undefined
    return {
      get() {
        code ??= createTestCode(server.store, clients[subject], user)
        return code
      },
      tokens() {
        tokens ??= (async () => {
          const basicClient = clients.basic
          const fresh = await createTestCode(server.store, basicClient, user)
          const answer = await exchange(`${server.url}/token`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/x-www-form-urlencoded',
              ...basicClient.auth.headers,
            },
            body: new URLSearchParams(codeRequest(basicClient, fresh)).toString(),
          })
          return {
            access: String(answer.json?.access_token),
            refresh: String(answer.json?.refresh_token),
          }
        })()
        return tokens
      },
    }
  }

  /** Builds the request's form and headers, signing its assertion. */
  async function build(
    r: FuzzRequest,
  ): Promise<{ readonly body: string; readonly headers: Record<string, string> }> {
    const code = codeCache(r.subject)
    const form: [string, string][] = []
    const headers: Record<string, string> = { 'Content-Type': r.contentType }
    const a = r.auth
    if (a.kind === 'own') {
      const own = await ownCredentials(r.subject)
      form.push(...own.form)
      Object.assign(headers, own.headers)
    } else if (a.kind === 'basic') {
      const id = await resolve(r.subject, a.id, code)
      const secret = await resolve(r.subject, a.secret, code)
      Object.assign(headers, basic(id, secret))
    } else if (a.kind === 'basic-bytes') {
      headers.Authorization = `Basic ${Buffer.from(a.bytes).toString('base64')}`
    } else if (a.kind === 'authorization') {
      headers.Authorization = a.value
    } else if (a.kind === 'assertion') {
      const client = a.ownClient ? clients.jwt : clients[r.subject]
      const base = validClaims(client.clientId)
      const fill = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(fill)
        if (typeof value !== 'object' || value === null || !('ref' in value)) return value
        return value.ref === 'issuer' ? server.issuer : value
      }
      for (const [name, value] of Object.entries(a.claims)) {
        if (value === OMIT) delete base[name]
        else base[name] = fill(value)
      }
      const signed = await signEs256(
        { alg: 'ES256', kid: key.kid, ...a.header },
        base,
        key.privateKey,
      )
      form.push(['client_assertion_type', a.type], ['client_assertion', signed])
    }
    for (const [name, value] of r.pairs) form.push([name, await resolve(r.subject, value, code)])
    return { body: new URLSearchParams(form).toString(), headers }
  }

  function describeRequest(path: string, r: FuzzRequest, body: string, headers: object): string {
    return `POST ${path} subject=${r.subject} auth=${r.auth.kind} ${JSON.stringify(headers)} ${body}`
  }

  /** Whether the request's only credentials are made up: no own credentials, none in the form. */
  function forged(r: FuzzRequest): boolean {
    const made = ['basic-bytes', 'authorization'].includes(r.auth.kind)
    return made && !r.pairs.some(([name]) => CREDENTIAL_NAMES.has(name))
  }

  async function post(
    path: string,
    r: FuzzRequest,
  ): Promise<{ answer: FuzzAnswer; input: string }> {
    const { body, headers } = await build(r)
    const answer = await exchange(`${server.url}${path}`, { method: 'POST', headers, body })
    return { answer, input: describeRequest(path, r, body, headers) }
  }

  /** RFC 7523 §3.2: an assertion is accepted, or refused as invalid_client (A21: 401). */
  function expectAcceptedOrInvalidClient(answer: FuzzAnswer, input: string): void {
    expectJsonAnswer(answer, input)
    if (answer.status === 200) return
    expect({ status: answer.status, error: answer.json?.error }, input).toEqual({
      status: 401,
      error: 'invalid_client',
    })
  }

  /** What a 200 of each endpoint holds (RFC 6749 §5.1, RFC 7009 §2.2, RFC 7662 §2.2). */
  const ENDPOINTS = [
    {
      rule: 'RFC 6749 §3.2 / §5.1 / §5.2: every grant with any fields and credentials',
      path: '/token',
      form: tokenForm,
      runs: 700,
      expectSuccess(answer: FuzzAnswer, input: string) {
        expect(typeof answer.json?.access_token, input).toBe('string')
        expect(answer.json?.token_type, input).toBe('Bearer')
        expect(Number.isSafeInteger(answer.json?.expires_in), input).toBe(true)
      },
    },
    {
      rule: 'RFC 7009 §2.1-2.2: revocation with any token, hint and credentials',
      path: '/revoke',
      form: tokenHintForm,
      runs: 300,
      // The body of a 200 is empty here ("the content of the response body is ignored").
      expectSuccess(answer: FuzzAnswer, input: string) {
        expect(answer.text, input).toBe('')
      },
    },
    {
      rule: 'RFC 7662 §2.1-2.2: introspection with any token, hint and credentials',
      path: '/introspect',
      form: tokenHintForm,
      runs: 300,
      expectSuccess(answer: FuzzAnswer, input: string) {
        expect(typeof answer.json?.active, input).toBe('boolean')
        if (answer.json?.active !== true) return
        expect(Number.isSafeInteger(answer.json.exp), input).toBe(true)
        expect(Number.isSafeInteger(answer.json.iat), input).toBe(true)
      },
    },
  ] as const

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.rule} → 200 or an RFC error, never 5xx`, {
      timeout: fuzzTimeout(),
    }, async () => {
      await fuzzServer(server.url, requestWith(endpoint.form), endpoint.runs, async (r) => {
        const { answer, input } = await post(endpoint.path, r)
        expectJsonAnswer(answer, input)
        // Made-up credentials alone never get anything (RFC 6749 §2.3, §5.2 invalid_client).
        if (forged(r)) expect(answer.status, input).toBeGreaterThanOrEqual(400)
        if (answer.status === 200) endpoint.expectSuccess(answer, input)
      })
    })
  }

  /**
   * RFC 7523 §3 ¶4-6: exp, nbf and iat are NumericDates. Run first, as examples of the property
   * below, in each of the three claims: values at and beyond the safe-integer edge, fractions,
   * negatives, and values that are no number at all. While this suite was written, exp ≥ 2^53
   * answered 500 (the jti was kept until exp + 60 s, out of the store's integer range); the
   * same review's fix refuses it (test/http/numeric-edges.test.ts holds the fix's own cases).
   */
  const TIME_CLAIM_EXAMPLES: readonly unknown[] = [
    Number.MAX_SAFE_INTEGER,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    1e300,
    Number.MAX_VALUE,
    ...NUMBER_LITERALS.slice(0, 4).map((text) => new JsonLiteral(text)),
    -1,
    0,
    0.5,
    '1700000000',
    { exp: 1, nested: { deeper: [1] } },
    [1, 2],
    null,
    true,
  ]

  it('RFC 7523 §2.2 / §3: client_assertion JWTs with any header and claims → 200 or 401 invalid_client', {
    timeout: fuzzTimeout(),
  }, async () => {
    const assertionRequest = (auth: Auth): FuzzRequest => ({
      subject: 'jwt',
      auth,
      pairs: [['grant_type', 'client_credentials']],
      contentType: 'application/x-www-form-urlencoded',
    })
    const examples = ['exp', 'iat', 'nbf'].flatMap((claim) =>
      TIME_CLAIM_EXAMPLES.map((value) =>
        assertionRequest({
          kind: 'assertion',
          header: {},
          claims: { [claim]: value },
          type: JWT_BEARER_ASSERTION_TYPE,
          ownClient: true,
        }),
      ),
    )
    const check = async (r: FuzzRequest) => {
      const { answer, input } = await post('/token', r)
      expectAcceptedOrInvalidClient(answer, input)
    }
    await fuzzServer(server.url, assertion.map(assertionRequest), 400, check, examples)
  })
})
