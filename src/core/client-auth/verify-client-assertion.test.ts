import type { CryptoKey, JWK } from 'jose'
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { adminClientRecord } from '../../../test/support/client-records.js'
import { OAuthError } from '../../errors.js'
import type { ClientRecord } from '../store/store.js'
import { ClientKeySets } from './client-key-sets.js'
import type { ClientAssertionDeps } from './verify-client-assertion.js'
import {
  assertionClientId,
  JWT_BEARER_ASSERTION_TYPE,
  verifyClientAssertion,
} from './verify-client-assertion.js'

const ISSUER = 'https://as.example'
const TOKEN_ENDPOINT = 'https://as.example/token'
const CLIENT_ID = 'client-1'
const NOW = 1_800_000_000

function clientWith(jwks: { keys: JWK[] }): ClientRecord {
  return adminClientRecord({
    clientId: CLIENT_ID,
    clientIdIssuedAt: NOW,
    updatedAt: NOW,
    metadata: {
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials'],
      response_types: [],
      application_type: 'web',
      scope: 'read',
      jwks,
    },
  })
}

const MAX_LIFETIME = 3600

/**
 * A deps object whose jti store is a Set, as consumeAssertionJti behaves within its window, and
 * refuses what the real store refuses: a time that is not a safe integer (column-values.ts
 * integer() throws a RangeError, which the token endpoint answered with a 500).
 */
function deps(): ClientAssertionDeps & { readonly held: Map<string, number> } {
  const held = new Map<string, number>()
  return {
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    keySets: new ClientKeySets(),
    now: () => NOW,
    maxLifetimeSeconds: MAX_LIFETIME,
    realm: ISSUER,
    held,
    async consumeJti(clientId, jti, expiresAt) {
      if (!Number.isSafeInteger(expiresAt)) {
        throw new RangeError(`expiresAt must be an integer, got ${expiresAt}`)
      }
      const key = `${clientId} ${jti}`
      if (held.has(key)) return false
      held.set(key, expiresAt)
      return true
    },
  }
}

async function codeOf(run: Promise<void>): Promise<string | null> {
  try {
    await run
    return null
  } catch (error) {
    return error instanceof OAuthError ? `${error.code} ${error.status}` : String(error)
  }
}

describe('RFC 7523 §3: the rules a private_key_jwt client assertion must follow', () => {
  let privateKey: CryptoKey
  let client: ClientRecord

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true })
    privateKey = pair.privateKey
    client = clientWith({
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }],
    })
  })

  function sign(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
    const payload: Record<string, unknown> = {
      iss: CLIENT_ID,
      sub: CLIENT_ID,
      aud: ISSUER,
      exp: NOW + 60,
      iat: NOW,
      jti: `jti-${Math.random()}`,
      ...claims,
    }
    for (const [name, value] of Object.entries(claims))
      if (value === undefined) delete payload[name]
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header })
      .sign(privateKey)
  }

  it.each([
    ['aud is the issuer as a string', {}],
    ['aud is the issuer in a one-member array (rfc7523bis)', { aud: [ISSUER] }],
    ['aud is the token endpoint URL (A25)', { aud: TOKEN_ENDPOINT }],
    ['exp passed less than the 60 s skew ago', { exp: NOW - 30 }],
    ['nbf less than 60 s ahead', { nbf: NOW + 30 }],
  ])('accepted: %s', async (_name, claims) => {
    expect(
      await codeOf(
        verifyClientAssertion(deps(), client, await sign(claims), JWT_BEARER_ASSERTION_TYPE),
      ),
    ).toBeNull()
  })

  it.each([
    ['¶3: aud another server', { aud: 'https://other.example' }],
    ['¶3: aud with two members', { aud: [ISSUER, TOKEN_ENDPOINT] }],
    ['¶3: no aud', { aud: undefined }],
    ['¶1: iss not the client_id', { iss: 'other' }],
    ['¶2: sub not the client_id', { sub: 'other' }],
    ['¶4: exp missing', { exp: undefined }],
    ['¶4: exp past beyond the skew', { exp: NOW - 61 }],
    ['¶4: exp not a number', { exp: 'soon' }],
    ['¶5: nbf beyond the skew', { nbf: NOW + 120 }],
    ['OIDC Core §9: jti missing', { jti: undefined }],
    ['OIDC Core §9: jti empty', { jti: '' }],
  ])('rejected with 401 invalid_client: %s', async (_name, claims) => {
    expect(
      await codeOf(
        verifyClientAssertion(deps(), client, await sign(claims), JWT_BEARER_ASSERTION_TYPE),
      ),
    ).toBe('invalid_client 401')
  })

  it('¶9 / RFC 8725 §3.1: an unknown kid, another key, HS256 and alg none are all rejected', async () => {
    const other = await generateKeyPair('ES256')
    const attempts = [
      await sign({}, { kid: 'unknown' }),
      await new SignJWT({ iss: CLIENT_ID, sub: CLIENT_ID, aud: ISSUER, exp: NOW + 60, jti: 'x' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .sign(other.privateKey),
      await new SignJWT({ iss: CLIENT_ID, sub: CLIENT_ID, aud: ISSUER, exp: NOW + 60, jti: 'y' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new Uint8Array(32)),
      new UnsecuredJWT({
        iss: CLIENT_ID,
        sub: CLIENT_ID,
        aud: ISSUER,
        exp: NOW + 60,
        jti: 'z',
      }).encode(),
    ]
    for (const assertion of attempts) {
      expect(
        await codeOf(verifyClientAssertion(deps(), client, assertion, JWT_BEARER_ASSERTION_TYPE)),
      ).toBe('invalid_client 401')
    }
  })

  it('§2.2: client_assertion_type must be exactly the jwt-bearer URN, and the assertion one JWT', async () => {
    const assertion = await sign()
    for (const [value, type] of [
      [assertion, 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'],
      [assertion, null],
      [null, JWT_BEARER_ASSERTION_TYPE],
      [`${assertion},${assertion}`, JWT_BEARER_ASSERTION_TYPE],
      ['not-a-jwt', JWT_BEARER_ASSERTION_TYPE],
    ] as const) {
      expect(await codeOf(verifyClientAssertion(deps(), client, value, type))).toBe(
        'invalid_client 401',
      )
    }
  })

  it('A26: a jti is single use, and held until exp plus the skew', async () => {
    const d = deps()
    const assertion = await sign({ jti: 'once', exp: NOW + 100 })
    expect(
      await codeOf(verifyClientAssertion(d, client, assertion, JWT_BEARER_ASSERTION_TYPE)),
    ).toBeNull()
    expect(
      await codeOf(verifyClientAssertion(d, client, assertion, JWT_BEARER_ASSERTION_TYPE)),
    ).toBe('invalid_client 401')
    expect(d.held.get(`${CLIENT_ID} once`)).toBe(NOW + 160)
  })

  // RFC 7519 §2: a NumericDate is any JSON number; RFC 7523 §3 ¶4 lets a far exp be refused.
  it.each([
    ['exp exactly the longest lifetime ahead', { exp: NOW + MAX_LIFETIME }, null],
    [
      'exp the longest lifetime and the 60 s skew ahead (a client clock running ahead)',
      { exp: NOW + MAX_LIFETIME + 60 },
      null,
    ],
    [
      'exp a fraction of a second ahead of now (held until the next second)',
      { exp: NOW + 30.5 },
      null,
    ],
    [
      'exp one second beyond the longest lifetime and the skew',
      { exp: NOW + MAX_LIFETIME + 61 },
      'ahead',
    ],
    ['exp 2^53 - 1, the largest safe integer', { exp: 2 ** 53 - 1 }, 'ahead'],
    ['exp 2^53, beyond the safe integers', { exp: 2 ** 53 }, 'safe integer'],
    ['exp 1e300', { exp: 1e300 }, 'safe integer'],
    ['exp -1', { exp: -1 }, 'expired'],
    ['exp 1.5', { exp: 1.5 }, 'expired'],
    ["exp 'NaN', a string", { exp: 'NaN' }, 'exp must be a NumericDate'],
    ['nbf 2^53 - 1', { nbf: 2 ** 53 - 1 }, 'not yet valid'],
    ['nbf 2^53', { nbf: 2 ** 53 }, 'not yet valid'],
    ['nbf 1e300', { nbf: 1e300 }, 'not yet valid'],
    ['nbf -1, long past', { nbf: -1 }, null],
    ['nbf 1.5, long past', { nbf: 1.5 }, null],
    ["nbf 'NaN', a string", { nbf: 'NaN' }, 'nbf must be a NumericDate'],
    // iat is not relied on (RFC 7523 §3 ¶6 makes it optional); jose holds it to a number.
    ['iat 2^53', { iat: 2 ** 53 }, null],
    ['iat 1e300', { iat: 1e300 }, null],
    ['iat -1', { iat: -1 }, null],
    ["iat 'NaN', a string", { iat: 'NaN' }, 'iat must be a NumericDate'],
  ] as const)(
    'numeric claims at and beyond the safe-integer edge: %s',
    async (_name, claims, problem) => {
      const d = deps()
      const run = verifyClientAssertion(d, client, await sign(claims), JWT_BEARER_ASSERTION_TYPE)
      if (problem === null) {
        expect(await codeOf(run)).toBeNull()
        expect([...d.held.values()].every(Number.isSafeInteger)).toBe(true)
        return
      }
      const error = await run.then(
        () => null,
        (thrown: unknown) => thrown,
      )
      expect(error).toBeInstanceOf(OAuthError)
      expect(error).toMatchObject({ code: 'invalid_client', status: 401 })
      expect((error as OAuthError).description).toContain(problem)
      expect(d.held.size).toBe(0)
    },
  )

  it('a rejected assertion does not spend its jti', async () => {
    const d = deps()
    await verifyClientAssertion(
      d,
      client,
      await sign({ jti: 'kept', aud: 'https://x' }),
      JWT_BEARER_ASSERTION_TYPE,
    ).catch(() => {})
    expect(d.held.size).toBe(0)
  })

  it('a client with no keys is rejected', async () => {
    const bare = { ...client, metadata: { ...client.metadata, jwks: { keys: [] } } }
    expect(
      await codeOf(verifyClientAssertion(deps(), bare, await sign(), JWT_BEARER_ASSERTION_TYPE)),
    ).toBe('invalid_client 401')
  })

  it.each([
    ['sub names the client', { sub: 'a', iss: 'b' }, 'a'],
    ['iss when sub is missing', { iss: 'b' }, 'b'],
    ['nothing usable', { sub: 7 }, null],
  ])('assertionClientId: %s', (_name, claims, expected) => {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
    expect(assertionClientId(`eyJhbGciOiJFUzI1NiJ9.${body}.sig`)).toBe(expected)
  })
})
