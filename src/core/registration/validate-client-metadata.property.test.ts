import { generateKeyPairSync } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OAuthError, toErrorDescription } from '../../errors.js'
import { parseScope } from '../scope/parse-scope.js'
import { servedGrantTypes } from './check-grant-types.js'
import type { GrantType } from './client-metadata.js'
import { GRANT_TYPES, LOCALIZABLE_FIELDS } from './client-metadata.js'
import type { RegistrationPolicy } from './validate-client-metadata.js'
import { validateClientMetadata } from './validate-client-metadata.js'

/** Every member the validator reads, plus ones it must drop. */
const FIELDS = [
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
  'example_extension_parameter',
]
const TAGGED = LOCALIZABLE_FIELDS.flatMap((field) =>
  ['en', 'ja-Jpan-JP', 'JA-jpan-jp', '', 'en_US', 'x', 'zh-Hant'].map((tag) => `${field}#${tag}`),
)
const REGISTERED_KEYS: ReadonlySet<string> = new Set([
  'redirect_uris',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'application_type',
  'scope',
  'client_name',
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'contacts',
  'jwks_uri',
  'jwks',
  'software_id',
  'software_version',
])

const ecPublicJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  format: 'jwk',
})

const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELDS) },
  { weight: 2, arbitrary: fc.constantFrom(...TAGGED) },
  { weight: 2, arbitrary: fc.string() },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  },
)

/** Strings that reach the deeper rules instead of failing on the JSON type. */
const plausible = fc.constantFrom(
  'https://c.example/cb',
  'https://app.example.com/cb',
  'http://127.0.0.1:3000/cb',
  'http://[::1]/cb',
  'http://localhost/cb',
  'http://evil.example/cb',
  'https://c.example/cb#frag',
  '/cb',
  'cursor://callback',
  'com.example.app:/oauth2redirect',
  'javascript:alert(1)',
  'data:text/html,x',
  'https:c.example/cb',
  ...GRANT_TYPES,
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
  'code',
  'token',
  'native',
  'web',
  'read',
  'read write',
  'admin',
  '',
  ' ',
  'My App',
  'a\u0000b',
  '"\\é\ud800',
)

const jwk = fc.oneof(
  fc.constant<Readonly<Record<string, unknown>>>(ecPublicJwk),
  fc.dictionary(
    fc.constantFrom('kty', 'crv', 'x', 'y', 'n', 'e', 'd', 'k', 'alg', 'use', '__proto__'),
    fc.oneof(
      fc.constantFrom('EC', 'RSA', 'oct', 'OKP', 'P-256', 'Ed25519', 'AQAB', ''),
      fc.string(),
      fc.jsonValue(),
    ),
  ),
  fc.jsonValue(),
)

const value = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue() },
  { weight: 3, arbitrary: plausible },
  { weight: 3, arbitrary: fc.array(plausible, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.record({ keys: fc.array(jwk, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant(null) },
)

/** Arbitrary JSON objects: field names mixed with random keys, and fully random ones. */
const body: fc.Arbitrary<Readonly<Record<string, unknown>>> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(key, value, { maxKeys: 10 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 }) },
)

const policy: fc.Arbitrary<RegistrationPolicy> = fc.record({
  allowedGrantTypes: fc
    .subarray([...GRANT_TYPES])
    .map((grants) => new Set<GrantType>(grants) as ReadonlySet<GrantType>),
  servedGrantTypes: fc
    .record({ implicit: fc.boolean(), password: fc.boolean() })
    .map((switches) => servedGrantTypes(switches)),
  requireHttpsRedirectUris: fc.boolean(),
  redirectUriHosts: fc.option(fc.constantFrom(['c.example'], ['*.example.com'], []), { nil: null }),
  requireReverseDomainSchemes: fc.boolean(),
  allowedScopes: fc.constant(new Set(['read', 'write'])),
  defaultScopes: fc.constantFrom(['read'], [], ['read', 'write']),
})

const ERROR_DESCRIPTION_CHARS = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/

describe('RFC 7591 §3.2.2 / R7591-18: any JSON object gets metadata or a 400 OAuthError, never another exception', () => {
  it('holds for arbitrary bodies under arbitrary policies', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(body, policy, (input, rules) => {
        let registered: ReturnType<typeof validateClientMetadata>
        try {
          registered = validateClientMetadata(input, rules)
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError)
          const oauth = error as OAuthError
          expect(oauth.status).toBe(400)
          expect(['invalid_client_metadata', 'invalid_redirect_uri']).toContain(oauth.code)
          expect(toErrorDescription(oauth.description)).toMatch(ERROR_DESCRIPTION_CHARS)
          return
        }
        // What was registered obeys the policy and holds no unknown member (A14).
        for (const member of Object.keys(registered)) {
          expect(REGISTERED_KEYS.has(member) || /^[a-z_]+#[A-Za-z0-9-]+$/.test(member)).toBe(true)
        }
        for (const grant of registered.grant_types) {
          expect(rules.allowedGrantTypes.has(grant)).toBe(true)
          expect(rules.servedGrantTypes.has(grant)).toBe(true)
        }
        for (const token of parseScope(registered.scope))
          expect(rules.allowedScopes.has(token)).toBe(true)
        expect(new Set(registered.redirect_uris).size).toBe(registered.redirect_uris.length)
        if (registered.grant_types.includes('authorization_code')) {
          expect(registered.redirect_uris.length).toBeGreaterThan(0)
          expect(registered.response_types).toContain('code')
        }
        expect(registered.jwks !== undefined && registered.jwks_uri !== undefined).toBe(false)
      }),
      { numRuns: 5000 },
    )
  })

  it('holds for bodies built only from the real field names', { timeout: 60_000 }, () => {
    const realFields = fc.dictionary(fc.constantFrom(...FIELDS, ...TAGGED), value, {
      minKeys: 1,
      maxKeys: 8,
    })
    fc.assert(
      fc.property(realFields, policy, (input, rules) => {
        try {
          validateClientMetadata(input, rules)
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError)
          expect((error as OAuthError).status).toBe(400)
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('holds for a valid registration with arbitrary members added, which reach the deeper rules', {
    timeout: 60_000,
  }, () => {
    let registeredCount = 0
    const extended = fc
      .dictionary(fc.oneof(fc.constantFrom(...FIELDS, ...TAGGED), fc.string()), value, {
        maxKeys: 3,
      })
      .map((extra) => ({ redirect_uris: ['https://c.example/cb'], ...extra }))
    fc.assert(
      fc.property(extended, policy, (input, rules) => {
        try {
          validateClientMetadata(input, rules)
          registeredCount++
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError)
          expect((error as OAuthError).status).toBe(400)
        }
      }),
      { numRuns: 3000 },
    )
    // Not vacuous: a good share of these bodies must get all the way through.
    expect(registeredCount).toBeGreaterThan(100)
  })
})
