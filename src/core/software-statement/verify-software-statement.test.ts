import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { fakeFetcher, fetchResult } from '../../../test/net/fake-fetcher.js'
import { OAuthError } from '../../errors.js'
import type { Fetcher } from '../fetch/fetcher.js'
import { FetchFailedError } from '../fetch/fetcher.js'
import type {
  SoftwareStatementVerifier,
  TrustedSoftwareStatementIssuer,
} from './verify-software-statement.js'
import { createSoftwareStatementVerifier } from './verify-software-statement.js'

const NOW = 1_800_000_000
const VENDOR = 'https://vendor.example'
const RSA_VENDOR = 'https://rsa-vendor.example'
const ROTATING_VENDOR = 'https://rotating.example'
const UNTRUSTED = 'https://stranger.example'
const EC_KID = 'vendor-ec-1'
const RSA_KID = 'vendor-rsa-1'

interface KeyPair {
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
}

let ec: KeyPair
let rsa: KeyPair
let attacker: KeyPair
let rotatingOld: KeyPair
let rotatingNew: KeyPair
let verify: SoftwareStatementVerifier

async function keyPair(alg: 'ES256' | 'RS256', kid?: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { privateKey, publicJwk: kid === undefined ? publicJwk : { ...publicJwk, kid } }
}

interface SignOptions {
  readonly alg?: string
  readonly kid?: string | null
  readonly key?: CryptoKey | Uint8Array
}

/** A statement from VENDOR, valid at NOW, unless the claims or options say otherwise. */
function sign(
  claims: Readonly<Record<string, unknown>> = {},
  options: SignOptions = {},
): Promise<string> {
  const kid = options.kid === undefined ? EC_KID : options.kid
  return new SignJWT({
    iss: VENDOR,
    iat: NOW - 10,
    exp: NOW + 3600,
    software_id: 'acme-desktop',
    ...claims,
  })
    .setProtectedHeader(
      kid === null ? { alg: options.alg ?? 'ES256' } : { alg: options.alg ?? 'ES256', kid },
    )
    .sign(options.key ?? ec.privateKey)
}

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value))
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => error,
  )
  expect(outcome).toBeInstanceOf(OAuthError)
  return outcome as OAuthError
}

async function expectRejected(
  promise: Promise<unknown>,
  code: 'invalid_software_statement' | 'unapproved_software_statement',
): Promise<void> {
  const error = await rejection(promise)
  expect(error.code).toBe(code)
  expect(error.status).toBe(400)
  expect(error.description.startsWith('software_statement')).toBe(true)
}

beforeAll(async () => {
  ;[ec, rsa, attacker, rotatingOld, rotatingNew] = await Promise.all([
    keyPair('ES256', EC_KID),
    keyPair('RS256', RSA_KID),
    keyPair('ES256', EC_KID),
    keyPair('ES256'),
    keyPair('ES256'),
  ])
  verify = createSoftwareStatementVerifier({
    trustedIssuers: [
      { issuer: VENDOR, jwks: { keys: [ec.publicJwk] } },
      { issuer: RSA_VENDOR, jwks: { keys: [rsa.publicJwk] } },
      { issuer: ROTATING_VENDOR, jwks: { keys: [rotatingOld.publicJwk, rotatingNew.publicJwk] } },
    ],
    now: () => NOW,
  })
})

describe('RFC 7591 §2.3: a trusted, signed software statement yields its issuer and claims', () => {
  it('an ES256 statement verifies; the registered JWT claims are stripped from the claims', async () => {
    const statement = await sign({
      sub: 'acme',
      aud: 'https://as.example',
      nbf: NOW - 10,
      jti: 'statement-1',
      client_name: 'Acme Desktop',
      redirect_uris: ['https://acme.example/cb'],
    })
    await expect(verify(statement)).resolves.toEqual({
      issuer: VENDOR,
      claims: {
        software_id: 'acme-desktop',
        client_name: 'Acme Desktop',
        redirect_uris: ['https://acme.example/cb'],
      },
    })
  })

  it('an RS256 statement from another trusted issuer verifies', async () => {
    const statement = await sign(
      { iss: RSA_VENDOR, software_version: '2.1' },
      { alg: 'RS256', kid: RSA_KID, key: rsa.privateKey },
    )
    await expect(verify(statement)).resolves.toEqual({
      issuer: RSA_VENDOR,
      claims: { software_id: 'acme-desktop', software_version: '2.1' },
    })
  })

  it('without a kid, every key of the issuer that fits the alg is tried (key rotation)', async () => {
    const statement = await sign(
      { iss: ROTATING_VENDOR },
      { kid: null, key: rotatingNew.privateKey },
    )
    await expect(verify(statement)).resolves.toMatchObject({ issuer: ROTATING_VENDOR })
  })

  it.each([
    ['exp 30 s in the past', { exp: NOW - 30 }],
    ['nbf 30 s in the future', { nbf: NOW + 30 }],
    ['iat 30 s in the future', { iat: NOW + 30 }],
  ])('RFC 7519 §4.1.4-6: %s is within the default 60 s clock tolerance', async (_, claims) => {
    await expect(verify(await sign(claims))).resolves.toMatchObject({ issuer: VENDOR })
  })

  it('a claim named __proto__ stays plain data in the claims', async () => {
    const statement = await sign(JSON.parse('{"__proto__": {"polluted": true}}') as JWTPayload)
    const { claims } = await verify(statement)
    expect(Object.hasOwn(claims, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('RFC 7591 §2.3, §3.2.2: a value that is not a string holding a JWT is invalid_software_statement', () => {
  it.each([
    ['a number', 42],
    ['an object', { iss: VENDOR }],
    ['null', null],
    ['undefined', undefined],
    ['an array', ['a.b.c']],
  ])('%s', async (_, statement) => {
    await expectRejected(verify(statement), 'invalid_software_statement')
  })
})

describe('RFC 7515 §7.1, RFC 7519 §7.2: a statement that is not a well-formed compact JWS is invalid_software_statement', () => {
  const payload = encodeJson({ iss: VENDOR })
  it.each([
    ['one part', () => 'abc'],
    ['two parts', () => `${encodeJson({ alg: 'ES256' })}.${payload}`],
    ['five parts (a JWE)', () => `${encodeJson({ alg: 'RSA-OAEP' })}.a.b.c.d`],
    ['an empty string', () => ''],
    ['a header that is not base64url JSON', () => `!!!.${payload}.c2ln`],
    [
      'a header that is a JSON string, not an object',
      () => `${encodeJson('ES256')}.${payload}.c2ln`,
    ],
    [
      'a payload that is not JSON',
      () => `${encodeJson({ alg: 'ES256' })}.${base64url.encode('not json')}.c2ln`,
    ],
    [
      'a payload that is a JSON array',
      () => `${encodeJson({ alg: 'ES256' })}.${encodeJson([VENDOR])}.c2ln`,
    ],
    ['an empty payload', () => `${encodeJson({ alg: 'ES256' })}..c2ln`],
  ])('%s', async (_, build) => {
    await expectRejected(verify(build()), 'invalid_software_statement')
  })
})

describe('RFC 7591 §2.3: the statement MUST be signed with an asymmetric algorithm the server allows', () => {
  it.each([
    ['alg none (an unsecured JWT, RFC 7519 §6)', 'none'],
    ['alg None', 'None'],
  ])('%s is invalid_software_statement', async (_, alg) => {
    const unsecured = `${encodeJson({ alg, typ: 'JWT' })}.${encodeJson({ iss: VENDOR, exp: NOW + 60 })}.`
    await expectRejected(verify(unsecured), 'invalid_software_statement')
  })

  it('alg none is refused even when the issuer is unknown (malformed before untrusted)', async () => {
    const unsecured = `${encodeJson({ alg: 'none' })}.${encodeJson({ iss: UNTRUSTED })}.`
    await expectRejected(verify(unsecured), 'invalid_software_statement')
  })

  it('a header without alg is invalid_software_statement', async () => {
    const statement = await sign()
    const [, body, signature] = statement.split('.')
    await expectRejected(
      verify(`${encodeJson({ kid: EC_KID })}.${body}.${signature}`),
      'invalid_software_statement',
    )
  })

  it('RFC 8725 §2.1: an HS256 statement MACed with some secret is invalid_software_statement', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-the-server-never-agreed-to-use')
    const statement = await sign({}, { alg: 'HS256', key: secret })
    await expectRejected(verify(statement), 'invalid_software_statement')
  })

  it('an allowed alg for which the issuer has no key (RS256 against EC keys) is invalid_software_statement', async () => {
    const statement = await sign({}, { alg: 'RS256', kid: null, key: rsa.privateKey })
    await expectRejected(verify(statement), 'invalid_software_statement')
  })
})

describe('RFC 7591 §2.3: the statement MUST contain an iss claim', () => {
  it.each([
    ['missing', { iss: undefined }],
    ['a number', { iss: 42 }],
    ['an array', { iss: [VENDOR] }],
    ['empty', { iss: '' }],
  ])('iss %s is invalid_software_statement', async (_, claims) => {
    await expectRejected(verify(await sign(claims)), 'invalid_software_statement')
  })
})

describe('RFC 7591 §3.2.2: a statement from an issuer the server does not trust is unapproved_software_statement', () => {
  it('a correctly signed statement from an unknown issuer', async () => {
    await expectRejected(verify(await sign({ iss: UNTRUSTED })), 'unapproved_software_statement')
  })

  it('the issuer is checked before the signature (no keys to check it with)', async () => {
    const statement = await sign({ iss: UNTRUSTED }, { key: attacker.privateKey })
    const [head, body] = statement.split('.')
    await expectRejected(verify(`${head}.${body}.AAAA`), 'unapproved_software_statement')
  })

  it('issuers match exactly (no trailing-slash or case folding)', async () => {
    await expectRejected(verify(await sign({ iss: `${VENDOR}/` })), 'unapproved_software_statement')
    await expectRejected(
      verify(await sign({ iss: VENDOR.toUpperCase() })),
      'unapproved_software_statement',
    )
  })
})

describe('RFC 7591 §2.3, §3.2.2: a statement whose signature does not verify is invalid_software_statement', () => {
  it.each([
    ['signed with another key under the trusted kid', () => sign({}, { key: attacker.privateKey })],
    ['signed with another key and no kid', () => sign({}, { kid: null, key: attacker.privateKey })],
    [
      'signed with another key, issuer with several candidate keys',
      () => sign({ iss: ROTATING_VENDOR }, { kid: null, key: attacker.privateKey }),
    ],
    [
      'a payload changed after signing',
      async () => {
        const [head, , signature] = (await sign()).split('.')
        return `${head}.${encodeJson({ iss: VENDOR, software_id: 'evil', exp: NOW + 60 })}.${signature}`
      },
    ],
    [
      'an empty signature',
      async () => {
        const [head, body] = (await sign()).split('.')
        return `${head}.${body}.`
      },
    ],
  ])('%s', async (_, build) => {
    await expectRejected(verify(await build()), 'invalid_software_statement')
  })

  it('RFC 7515 §4.1.4: a kid the issuer does not publish is invalid_software_statement', async () => {
    await expectRejected(
      verify(await sign({}, { kid: 'unknown-kid' })),
      'invalid_software_statement',
    )
  })
})

describe('RFC 7519 §4.1.4-6: an expired or not-yet-valid statement is invalid_software_statement', () => {
  it.each([
    ['exp in the past', { exp: NOW - 3600 }],
    ['exp just beyond the 60 s tolerance', { exp: NOW - 61 }],
    ['nbf in the future', { nbf: NOW + 3600 }],
    ['iat in the future', { iat: NOW + 3600 }],
    ['exp that is not a number', { exp: 'tomorrow' }],
    ['nbf that is not a number', { nbf: 'yesterday' }],
  ])('%s', async (_, claims) => {
    await expectRejected(verify(await sign(claims)), 'invalid_software_statement')
  })

  it('clockToleranceSeconds narrows the tolerated skew', async () => {
    const strict = createSoftwareStatementVerifier({
      trustedIssuers: [{ issuer: VENDOR, jwks: { keys: [ec.publicJwk] } }],
      clockToleranceSeconds: 0,
      now: () => NOW,
    })
    await expectRejected(strict(await sign({ exp: NOW - 1 })), 'invalid_software_statement')
    await expectRejected(strict(await sign({ nbf: NOW + 1 })), 'invalid_software_statement')
  })
})

describe('RFC 7591 §2.3 with a trusted issuer publishing its keys at a jwks_uri', () => {
  const JWKS_URI = 'https://rsa-vendor.example/jwks'

  function remoteVerifier(fetch: Fetcher): SoftwareStatementVerifier {
    return createSoftwareStatementVerifier({
      trustedIssuers: [{ issuer: RSA_VENDOR, jwksUri: JWKS_URI }],
      now: () => NOW,
      fetcher: fetch,
    })
  }

  function rsaStatement(claims: Readonly<Record<string, unknown>> = {}): Promise<string> {
    return sign({ iss: RSA_VENDOR, ...claims }, { alg: 'RS256', kid: RSA_KID, key: rsa.privateKey })
  }

  it('the keys are fetched through the injected fetcher only, once, then cached', async () => {
    const fetch = fakeFetcher(async () =>
      fetchResult(200, JSON.stringify({ keys: [rsa.publicJwk] })),
    )
    const remote = remoteVerifier(fetch)
    const statement = await rsaStatement({ client_name: 'Remote' })
    await expect(remote(statement)).resolves.toEqual({
      issuer: RSA_VENDOR,
      claims: { software_id: 'acme-desktop', client_name: 'Remote' },
    })
    await expect(remote(statement)).resolves.toMatchObject({ issuer: RSA_VENDOR })
    expect(fetch.requests.map((request) => request.url)).toEqual([JWKS_URI])
  })

  it('a statement signed with another key fails against the fetched keys', async () => {
    const remote = remoteVerifier(
      fakeFetcher(async () => fetchResult(200, JSON.stringify({ keys: [rsa.publicJwk] }))),
    )
    const other = await keyPair('RS256', RSA_KID)
    const statement = await sign(
      { iss: RSA_VENDOR },
      { alg: 'RS256', kid: RSA_KID, key: other.privateKey },
    )
    await expectRejected(remote(statement), 'invalid_software_statement')
  })

  it.each([
    [
      'the fetcher refuses it (a private address, a closed port, a timeout)',
      () => Promise.reject(new FetchFailedError(new Error('127.0.0.1 is a loopback address'))),
    ],
    ['it answers 500', async () => fetchResult(500, '')],
    ['it answers with something other than JSON', async () => fetchResult(200, '<html>')],
    ['it answers with JSON that is not a JWK Set', async () => fetchResult(200, '{"keys": 1}')],
  ])('when %s: invalid_software_statement, always in the same words', async (_, respond) => {
    const error = await rejection(remoteVerifier(fakeFetcher(respond))(await rsaStatement()))
    expect(error.code).toBe('invalid_software_statement')
    expect(error.description).toBe(
      "software_statement cannot be verified: the keys of issuer 'https://rsa-vendor.example' could not be fetched",
    )
  })
})

describe('configuration mistakes throw TypeError when the verifier is created', () => {
  it.each([
    [
      'an issuer configured twice',
      (): readonly TrustedSoftwareStatementIssuer[] => [
        { issuer: VENDOR, jwks: { keys: [ec.publicJwk] } },
        { issuer: VENDOR, jwks: { keys: [rsa.publicJwk] } },
      ],
    ],
    [
      'an issuer with both jwks and jwksUri',
      (): readonly TrustedSoftwareStatementIssuer[] => [
        { issuer: VENDOR, jwks: { keys: [ec.publicJwk] }, jwksUri: 'https://vendor.example/jwks' },
      ],
    ],
    [
      'an issuer with neither jwks nor jwksUri',
      (): readonly TrustedSoftwareStatementIssuer[] => [{ issuer: VENDOR }],
    ],
    [
      'a jwksUri that is not a URL',
      (): readonly TrustedSoftwareStatementIssuer[] => [{ issuer: VENDOR, jwksUri: 'not a url' }],
    ],
    [
      'a jwksUri without a fetcher to fetch it with',
      (): readonly TrustedSoftwareStatementIssuer[] => [
        { issuer: VENDOR, jwksUri: 'https://vendor.example/jwks' },
      ],
    ],
    [
      'a jwks whose keys are not objects',
      (): readonly TrustedSoftwareStatementIssuer[] => [
        { issuer: VENDOR, jwks: JSON.parse('{"keys": ["not-a-key"]}') },
      ],
    ],
  ])('%s', (_, trustedIssuers) => {
    expect(() =>
      createSoftwareStatementVerifier({ trustedIssuers: trustedIssuers() }),
    ).toThrowError(TypeError)
  })

  it('a negative clock tolerance', () => {
    expect(() =>
      createSoftwareStatementVerifier({ trustedIssuers: [], clockToleranceSeconds: -1 }),
    ).toThrowError(TypeError)
  })
})
