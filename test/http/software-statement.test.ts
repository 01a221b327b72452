import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { CompactSign, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clientIdOf,
  deeplyNestedJson,
  expectOAuthError,
  nowSeconds,
  postJson,
  REDIRECT_URI,
} from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const TRUSTED_ISSUER = 'https://statements.example'
const KID = 'statement-key-1'

let trustedKey: CryptoKey
let trustedJwk: JWK
let attackerKey: CryptoKey

beforeAll(async () => {
  const trusted = await generateKeyPair('ES256', { extractable: true })
  trustedKey = trusted.privateKey
  trustedJwk = { ...(await exportJWK(trusted.publicKey)), kid: KID, alg: 'ES256', use: 'sig' }
  attackerKey = (await generateKeyPair('ES256')).privateKey
})

function trustedIssuers() {
  return [{ issuer: TRUSTED_ISSUER, jwks: { keys: [trustedJwk] } }]
}

/** Signs a software statement; `iss` defaults to the trusted issuer, `exp` to an hour from now. */
async function statement(
  claims: JWTPayload,
  options: { key?: CryptoKey; kid?: string; alg?: string; omit?: readonly string[] } = {},
): Promise<string> {
  const payload: JWTPayload = {
    iss: TRUSTED_ISSUER,
    iat: nowSeconds(),
    exp: nowSeconds() + 3600,
    ...claims,
  }
  for (const name of options.omit ?? []) delete payload[name]
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? KID, typ: 'JWT' })
    .sign(options.key ?? trustedKey)
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

const STATEMENT_CLAIMS = {
  client_name: 'A',
  redirect_uris: ['https://statement.example/callback'],
  software_id: '4NRB1-0XZABZI9E6-5SM3R',
  software_version: '2.1',
}

describe('software statements with a trusted issuer (RFC 7591 §2.3, §3.1.1, A31)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, softwareStatement: { trustedIssuers: trustedIssuers() } },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('R7591-41 / R7591-42: statement claims override the body; 201 echoes the statement byte for byte; provenance names the issuer', async () => {
    const jwt = await statement(STATEMENT_CLAIMS)
    const result = await postJson(server.url, {
      client_name: 'B',
      redirect_uris: [REDIRECT_URI],
      client_uri: 'https://body.example/',
      software_statement: jwt,
    })
    expect(result.status, result.text).toBe(201)
    expect(result.json).toMatchObject({
      client_name: 'A',
      redirect_uris: ['https://statement.example/callback'],
      software_id: '4NRB1-0XZABZI9E6-5SM3R',
      software_version: '2.1',
      // Members the statement does not carry come from the body.
      client_uri: 'https://body.example/',
    })
    expect(result.json?.software_statement).toBe(jwt)
    const record = await server.store.getClient(clientIdOf(result))
    expect(record?.metadata.software_statement).toBe(jwt)
    expect(record?.metadata.client_name).toBe('A')
    expect(record?.provenance.softwareStatementIssuer).toBe(TRUSTED_ISSUER)
  })

  it('RFC 7519 §4.1: the JWT registered claims (iss, iat, exp, …) do not become client metadata', async () => {
    const jwt = await statement({
      ...STATEMENT_CLAIMS,
      sub: 'software',
      jti: 'j-1',
      nbf: nowSeconds() - 10,
    })
    const result = await postJson(server.url, { software_statement: jwt })
    expect(result.status, result.text).toBe(201)
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']) {
      expect(result.json).not.toHaveProperty(claim)
    }
  })

  it('a body without a statement still registers when statements are optional (null counts as absent)', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      software_statement: null,
    })
    expect(result.status).toBe(201)
    const record = await server.store.getClient(clientIdOf(result))
    expect(record?.provenance.softwareStatementIssuer).toBeNull()
    expect(result.json).not.toHaveProperty('software_statement')
  })

  it('R7591-41 §5: the statement claims are validated like the body (an http redirect URI → invalid_redirect_uri)', async () => {
    const jwt = await statement({ redirect_uris: ['http://evil.example/cb'] })
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      software_statement: jwt,
    })
    expectOAuthError(result, 400, 'invalid_redirect_uri')
  })

  const cases: [string, () => Promise<unknown>][] = [
    [
      "alg 'none' (an unsecured JWT)",
      async () =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iss: TRUSTED_ISSUER, ...STATEMENT_CLAIMS })}.`,
    ],
    [
      'a signature by another key under the trusted kid',
      () => statement(STATEMENT_CLAIMS, { key: attackerKey }),
    ],
    [
      'a payload altered after signing',
      async () => {
        const [header, , signature] = (await statement(STATEMENT_CLAIMS)).split('.')
        return `${header}.${base64url({ iss: TRUSTED_ISSUER, ...STATEMENT_CLAIMS, client_name: 'Evil' })}.${signature}`
      },
    ],
    [
      'an expired statement',
      () => statement({ ...STATEMENT_CLAIMS, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }),
    ],
    [
      'a statement not valid yet (nbf in the future)',
      () => statement({ ...STATEMENT_CLAIMS, nbf: nowSeconds() + 3600 }),
    ],
    [
      'a statement issued in the future (iat)',
      () => statement({ ...STATEMENT_CLAIMS, iat: nowSeconds() + 3600 }),
    ],
    [
      'exp that is not a number',
      () => statement({ ...STATEMENT_CLAIMS, exp: 'tomorrow' as unknown as number }),
    ],
    ['no iss claim', () => statement(STATEMENT_CLAIMS, { omit: ['iss'] })],
    ['an empty iss claim', () => statement({ ...STATEMENT_CLAIMS, iss: '' })],
    ['an unknown kid', () => statement(STATEMENT_CLAIMS, { kid: 'unknown-kid' })],
    ['the string "abc"', async () => 'abc'],
    ['an empty string', async () => ''],
    ['a number', async () => 42],
    ['an object', async () => ({ iss: TRUSTED_ISSUER })],
    ['three garbage parts', async () => 'a.b.c'],
    [
      'an HS256 header (key confusion)',
      async () =>
        `${base64url({ alg: 'HS256', kid: KID })}.${base64url({ iss: TRUSTED_ISSUER })}.c2lnbmF0dXJl`,
    ],
    [
      'a header without alg',
      async () => `${base64url({ kid: KID })}.${base64url({ iss: TRUSTED_ISSUER })}.c2ln`,
    ],
    [
      'a payload that is a JSON array',
      async () => `${base64url({ alg: 'ES256', kid: KID })}.${base64url([1])}.c2ln`,
    ],
  ]

  it.each(cases)(
    'R7591-39 / R7591-43: %s → 400 invalid_software_statement',
    async (_name, make) => {
      const before = (await server.store.listClients({ limit: 1000 })).length
      const result = await postJson(server.url, {
        redirect_uris: [REDIRECT_URI],
        software_statement: await make(),
      })
      expectOAuthError(result, 400, 'invalid_software_statement')
      expect((await server.store.listClients({ limit: 1000 })).length).toBe(before)
    },
  )

  it('R7591-40: a well-formed statement from an untrusted issuer → 400 unapproved_software_statement', async () => {
    const jwt = await statement(
      { ...STATEMENT_CLAIMS, iss: 'https://untrusted.example' },
      { key: attackerKey, kid: 'attacker' },
    )
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      software_statement: jwt,
    })
    expectOAuthError(result, 400, 'unapproved_software_statement')
  })

  it('R7591-18: a trusted statement carrying a deeply nested jwks member never produces a 5xx', async () => {
    const key = JSON.stringify({
      kty: trustedJwk.kty,
      crv: trustedJwk.crv,
      x: trustedJwk.x,
      y: trustedJwk.y,
    })
    const claims = `{"iss":"${TRUSTED_ISSUER}","exp":${nowSeconds() + 3600},"redirect_uris":["${REDIRECT_URI}"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[${key.slice(0, -1)},"x-nested":${deeplyNestedJson(20_000)}}]}}`
    const jwt = await new CompactSign(new TextEncoder().encode(claims))
      .setProtectedHeader({ alg: 'ES256', kid: KID })
      .sign(trustedKey)
    const body = JSON.stringify({ software_statement: jwt })
    expect(body.length).toBeLessThan(65_536)
    const result = await postJson(server.url, { software_statement: jwt })
    expect(result.status, result.text).toBeLessThan(500)
    if (result.status !== 201) expect(result.json?.error).toBe('invalid_client_metadata')
  })
})

describe('registration.softwareStatement.required', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: {
        rateLimit: false,
        softwareStatement: { required: true, trustedIssuers: trustedIssuers() },
      },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('no statement → 400 invalid_software_statement, no client', async () => {
    const result = await postJson(server.url, { redirect_uris: [REDIRECT_URI] })
    expectOAuthError(result, 400, 'invalid_software_statement')
    expect((await server.store.listClients()).length).toBe(0)
  })

  it('a valid statement → 201', async () => {
    const result = await postJson(server.url, {
      software_statement: await statement(STATEMENT_CLAIMS),
    })
    expect(result.status, result.text).toBe(201)
  })
})

describe('no trusted issuers configured (the default)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  it('R7591-40: a well-formed signed statement → 400 unapproved_software_statement', async () => {
    const jwt = await statement(STATEMENT_CLAIMS)
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      software_statement: jwt,
    })
    expectOAuthError(result, 400, 'unapproved_software_statement')
  })

  it('R7591-39: "abc" is still invalid_software_statement, not unapproved', async () => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      software_statement: 'abc',
    })
    expectOAuthError(result, 400, 'invalid_software_statement')
  })
})
