import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { OAuthErrorCode } from '../../errors.js'
import { OAuthError, toErrorDescription } from '../../errors.js'
import { servedGrantTypes } from './check-grant-types.js'
import type { GrantType } from './client-metadata.js'
import { GRANT_TYPES } from './client-metadata.js'
import type { RegistrationPolicy } from './validate-client-metadata.js'
import { validateClientMetadata } from './validate-client-metadata.js'

type Body = Readonly<Record<string, unknown>>

interface Refused {
  readonly name: string
  readonly body: Body
  readonly policy?: Partial<RegistrationPolicy>
  readonly code: OAuthErrorCode
  /** Substrings the error_description must contain (the field, the offending value). */
  readonly mentions?: readonly string[]
}

interface Accepted {
  readonly name: string
  readonly body: Body
  readonly policy?: Partial<RegistrationPolicy>
  /** Fields that differ from the minimal registration below; the whole result is compared. */
  readonly registered: Body
}

const CB = 'https://c.example/cb'
/** authorization.implicit and authorization.password as they are by default. */
const OFF = { implicit: false, password: false } as const
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer'

/** Every grant registrar can serve, both switches on: the allow-list tests vary only the list. */
const ALL_SERVED = servedGrantTypes({ implicit: true, password: true })

function policy(overrides: Partial<RegistrationPolicy> = {}): RegistrationPolicy {
  return {
    allowedGrantTypes: new Set<GrantType>(['authorization_code', 'refresh_token']),
    servedGrantTypes: ALL_SERVED,
    requireHttpsRedirectUris: true,
    redirectUriHosts: null,
    requireReverseDomainSchemes: false,
    allowedScopes: new Set(['read', 'write']),
    defaultScopes: ['read'],
    ...overrides,
  }
}

function allowGrants(...grants: GrantType[]): Partial<RegistrationPolicy> {
  return { allowedGrantTypes: new Set<GrantType>(grants) }
}

/** RFC 7591 §2 defaults for `{"redirect_uris":[CB]}` under policy(). */
const MINIMAL: Body = {
  redirect_uris: [CB],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  application_type: 'web',
  scope: 'read',
}

// RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
const ERROR_DESCRIPTION_CHARS = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/

function rejection(body: Body, overrides?: Partial<RegistrationPolicy>): OAuthError {
  try {
    validateClientMetadata(body, policy(overrides))
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError)
    return error as OAuthError
  }
  throw new Error(`expected ${JSON.stringify(body)} to be refused`)
}

function refuses(rows: readonly Refused[]): void {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const error = rejection(row.body, row.policy)
    expect(error.code).toBe(row.code)
    expect(error.status).toBe(400)
    for (const text of row.mentions ?? []) expect(error.description).toContain(text)
    // The descriptions quote client input and cite "RFC 7591 §2": they are made header-safe
    // by toErrorDescription in the HTTP layer, which must always yield the RFC 6749 alphabet.
    expect(toErrorDescription(error.description)).toMatch(ERROR_DESCRIPTION_CHARS)
  })
}

function accepts(rows: readonly Accepted[]): void {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(validateClientMetadata(row.body, policy(row.policy))).toStrictEqual({
      ...MINIMAL,
      ...row.registered,
    })
  })
}

const ecPublicJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  format: 'jwk',
})
const ecPrivateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  format: 'jwk',
})
const rsaPublicJwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
  format: 'jwk',
})

/** Every kind of client the loopback and scheme rules must be checked against. */
const CLIENTS = [
  { kind: 'a confidential web client', body: {} },
  { kind: 'a public web client', body: { token_endpoint_auth_method: 'none' } },
  { kind: 'a confidential native client', body: { application_type: 'native' } },
  {
    kind: 'a public native client',
    body: { application_type: 'native', token_endpoint_auth_method: 'none' },
  },
] as const

describe('RFC 7591 §2 / R7591-10: defaults are applied and stated in the result', () => {
  accepts([
    {
      name: 'RFC 7591 §2: minimal {redirect_uris} registers authorization_code, code, client_secret_basic, web and the default scope',
      body: { redirect_uris: [CB] },
      registered: {},
    },
    {
      name: 'RFC 7591 §2: response_types default follows grant_types (authorization_code + refresh_token gives [code])',
      body: { redirect_uris: [CB], grant_types: ['authorization_code', 'refresh_token'] },
      registered: { grant_types: ['authorization_code', 'refresh_token'] },
    },
    {
      name: 'ROIDCR-02: application_type native is kept',
      body: { redirect_uris: [CB], application_type: 'native' },
      registered: { application_type: 'native' },
    },
    {
      name: 'RFC 7591 §2: client_secret_post is kept',
      body: { redirect_uris: [CB], token_endpoint_auth_method: 'client_secret_post' },
      registered: { token_endpoint_auth_method: 'client_secret_post' },
    },
    {
      name: 'RFC 7591 §2: human-readable metadata is echoed as sent',
      body: {
        redirect_uris: [CB],
        client_name: 'Example Client',
        client_uri: 'https://c.example/',
        logo_uri: 'https://c.example/logo.png',
        tos_uri: 'https://c.example/tos',
        policy_uri: 'https://c.example/privacy',
        contacts: ['ops@c.example'],
        software_id: '4NRB1-0XZABZI9E6-5SM3R',
        software_version: '2.1',
      },
      registered: {
        client_name: 'Example Client',
        client_uri: 'https://c.example/',
        logo_uri: 'https://c.example/logo.png',
        tos_uri: 'https://c.example/tos',
        policy_uri: 'https://c.example/privacy',
        contacts: ['ops@c.example'],
        software_id: '4NRB1-0XZABZI9E6-5SM3R',
        software_version: '2.1',
      },
    },
  ])
})

describe('RFC 7591 §2, §3.2.2 / R7591-18: a member of the wrong JSON type is refused, never a 5xx', () => {
  refuses([
    {
      name: 'R7591-18: redirect_uris as a string instead of an array → invalid_redirect_uri',
      body: { redirect_uris: 'https://x' },
      code: 'invalid_redirect_uri',
      mentions: ['redirect_uris'],
    },
    {
      name: 'R7591-18: a number inside redirect_uris → invalid_redirect_uri',
      body: { redirect_uris: [1] },
      code: 'invalid_redirect_uri',
      mentions: ['redirect_uris[0]'],
    },
    {
      name: 'R7591-18: null inside redirect_uris → invalid_redirect_uri',
      body: { redirect_uris: [CB, null] },
      code: 'invalid_redirect_uri',
      mentions: ['redirect_uris[1]'],
    },
    {
      name: 'R7591-18: an empty string inside redirect_uris → invalid_redirect_uri',
      body: { redirect_uris: [''] },
      code: 'invalid_redirect_uri',
    },
    {
      name: 'R7591-18: client_name 123 → invalid_client_metadata',
      body: { redirect_uris: [CB], client_name: 123 },
      code: 'invalid_client_metadata',
      mentions: ['client_name'],
    },
    {
      name: 'R7591-18: contacts [{}] → invalid_client_metadata',
      body: { redirect_uris: [CB], contacts: [{}] },
      code: 'invalid_client_metadata',
      mentions: ['contacts[0]'],
    },
    {
      name: 'R7591-18: contacts as a string → invalid_client_metadata',
      body: { redirect_uris: [CB], contacts: 'ops@c.example' },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-18: jwks "x" → invalid_client_metadata',
      body: { redirect_uris: [CB], jwks: 'x' },
      code: 'invalid_client_metadata',
      mentions: ['jwks'],
    },
    {
      name: 'R7591-18: grant_types "authorization_code" (a string) → invalid_client_metadata',
      body: { redirect_uris: [CB], grant_types: 'authorization_code' },
      code: 'invalid_client_metadata',
      mentions: ['grant_types'],
    },
    {
      name: 'R7591-18: response_types "code" (a string) → invalid_client_metadata',
      body: { redirect_uris: [CB], response_types: 'code' },
      code: 'invalid_client_metadata',
      mentions: ['response_types'],
    },
    {
      name: 'R7591-18: token_endpoint_auth_method 5 → invalid_client_metadata',
      body: { redirect_uris: [CB], token_endpoint_auth_method: 5 },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-18: scope as an array → invalid_client_metadata',
      body: { redirect_uris: [CB], scope: ['read'] },
      code: 'invalid_client_metadata',
      mentions: ['scope'],
    },
    {
      name: 'R7591-18: logo_uri {} → invalid_client_metadata',
      body: { redirect_uris: [CB], logo_uri: {} },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-18: jwks_uri true → invalid_client_metadata',
      body: { redirect_uris: [CB], jwks_uri: true },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-18: software_id 7 → invalid_client_metadata',
      body: { redirect_uris: [CB], software_id: 7 },
      code: 'invalid_client_metadata',
    },
    {
      name: 'ROIDCR-02: application_type other than web or native → invalid_client_metadata',
      body: { redirect_uris: [CB], application_type: 'browser' },
      code: 'invalid_client_metadata',
      mentions: ['application_type'],
    },
    {
      name: 'RFC 7591 §2: client_name "" → invalid_client_metadata',
      body: { redirect_uris: [CB], client_name: '' },
      code: 'invalid_client_metadata',
    },
    {
      name: 'RFC 7591 §2 (size bound): 33 redirect_uris → invalid_redirect_uri',
      body: { redirect_uris: Array.from({ length: 33 }, (_, i) => `https://c.example/cb${i}`) },
      code: 'invalid_redirect_uri',
    },
    {
      name: 'RFC 7591 §2 (size bound): a 257-character client_name → invalid_client_metadata',
      body: { redirect_uris: [CB], client_name: 'n'.repeat(257) },
      code: 'invalid_client_metadata',
    },
  ])
})

describe('RFC 6749 §3.1.2 / R7591-22: redirect URIs are absolute and carry no fragment', () => {
  refuses(
    [
      ['/cb', 'relative path'],
      ['cb', 'relative path'],
      ['//c.example/cb', 'network-path reference'],
      ['c.example/cb', 'no scheme'],
      ['https://c.example/cb#frag', 'fragment'],
      ['https://c.example/cb#', 'empty fragment'],
      ['com.example.app:/cb#x', 'fragment on a private-use scheme'],
    ].map(([uri, why]) => ({
      name: `RFC 6749 §3.1.2: rejects ${uri} (${why})`,
      body: { redirect_uris: [uri], application_type: 'native' },
      code: 'invalid_redirect_uri' as const,
    })),
  )
  refuses(
    [
      ['https://c.example/c b', 'space'],
      [' https://c.example/cb', 'leading space'],
      ['https://c.example/cb\n', 'trailing newline'],
      ['https://c.example/\tcb', 'tab'],
      ['https://c.example/\u00a0cb', 'no-break space'],
    ].map(([uri, why]) => ({
      name: `RFC 3986 §2: rejects ${JSON.stringify(uri)} (${why} inside the URI)`,
      body: { redirect_uris: [uri] },
      code: 'invalid_redirect_uri' as const,
      mentions: ['whitespace'],
    })),
  )
  refuses([
    {
      name: 'RFC 6749 §3.1.2: the second of two redirect URIs is checked too (fragment)',
      body: { redirect_uris: [CB, 'https://c.example/other#x'] },
      code: 'invalid_redirect_uri',
      mentions: ['redirect_uris[1]'],
    },
    {
      name: 'RFC 3986 §3.2.1: user credentials in a redirect URI are refused',
      body: { redirect_uris: ['https://user:pw@c.example/cb'] },
      code: 'invalid_redirect_uri',
    },
  ])
})

describe('RFC 9700 §2.6, OAuth 2.1 §2.3.1 / R7591-23, A18: https required except loopback (A15)', () => {
  refuses(
    CLIENTS.flatMap((client) =>
      ['http://evil.example/cb', 'http://192.168.1.5/cb', 'http://localhost.evil.example/cb'].map(
        (uri) => ({
          name: `RFC 9700 §2.6: rejects ${uri} for ${client.kind} (http, not loopback)`,
          body: { redirect_uris: [uri], ...client.body },
          code: 'invalid_redirect_uri' as const,
          mentions: ['https'],
        }),
      ),
    ),
  )
  accepts(
    CLIENTS.flatMap((client) =>
      [
        'http://127.0.0.1:51004/cb',
        'http://127.0.0.1/cb',
        'http://[::1]/cb',
        'http://[::1]:61023/cb',
        'http://localhost:3000/cb',
      ].map((uri) => ({
        name: `RFC 8252 §7.3, A15: accepts loopback ${uri} for ${client.kind}`,
        body: { redirect_uris: [uri], ...client.body },
        registered: { redirect_uris: [uri], ...client.body },
      })),
    ),
  )
  accepts([
    {
      name: 'R7591-05 (p): http redirect URIs are accepted when the operator turns requireHttps off',
      body: { redirect_uris: ['http://c.example/cb'] },
      policy: { requireHttpsRedirectUris: false },
      registered: { redirect_uris: ['http://c.example/cb'] },
    },
  ])
})

describe('RFC 9700 §2.6, A17: dangerous schemes are refused for every client, whatever the configuration', () => {
  const dangerous = [
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'about:blank',
    'blob:https://c.example/0b7c3c4e-1d1a-4c4e-9d43-5b2e8f1f9a7e',
  ]
  refuses(
    CLIENTS.flatMap((client) =>
      dangerous.map((uri) => ({
        name: `RFC 9700 §2.6: rejects ${uri} for ${client.kind} even with requireHttps off`,
        body: { redirect_uris: [uri], ...client.body },
        policy: { requireHttpsRedirectUris: false },
        code: 'invalid_redirect_uri' as const,
      })),
    ),
  )
})

describe('RFC 8252 §7.1, A17: private-use schemes are for native or public clients', () => {
  const schemes = ['cursor://callback', 'com.example.app:/oauth2redirect', 'myapp://cb']
  accepts(
    CLIENTS.slice(1).flatMap((client) =>
      schemes.map((uri) => ({
        name: `RFC 8252 §7.1: accepts ${uri} for ${client.kind}`,
        body: { redirect_uris: [uri], ...client.body },
        registered: { redirect_uris: [uri], ...client.body },
      })),
    ),
  )
  refuses(
    schemes.flatMap((uri) => [
      {
        name: `RFC 8252 §7.1: rejects ${uri} for a confidential web client (default auth method)`,
        body: { redirect_uris: [uri] },
        code: 'invalid_redirect_uri' as const,
        mentions: ['native'],
      },
      {
        name: `RFC 8252 §7.1: rejects ${uri} for a confidential web client (client_secret_post)`,
        body: { redirect_uris: [uri], token_endpoint_auth_method: 'client_secret_post' },
        code: 'invalid_redirect_uri' as const,
      },
    ]),
  )
  refuses([
    {
      name: 'RFC 8252 §8.4, A17: single-word scheme cursor://callback refused when requireReverseDomainSchemes',
      body: { redirect_uris: ['cursor://callback'], application_type: 'native' },
      policy: { requireReverseDomainSchemes: true },
      code: 'invalid_redirect_uri',
      mentions: ['reverse-domain'],
    },
  ])
  accepts([
    {
      name: 'RFC 8252 §7.1: reverse-domain com.example.app:/oauth2redirect accepted when requireReverseDomainSchemes',
      body: { redirect_uris: ['com.example.app:/oauth2redirect'], application_type: 'native' },
      policy: { requireReverseDomainSchemes: true },
      registered: {
        redirect_uris: ['com.example.app:/oauth2redirect'],
        application_type: 'native',
      },
    },
    {
      name: 'R8252-01: one public native client registers a private-use scheme, claimed https and loopback',
      body: {
        redirect_uris: ['com.example.app:/oauth2redirect', CB, 'http://127.0.0.1/cb'],
        application_type: 'native',
        token_endpoint_auth_method: 'none',
      },
      registered: {
        redirect_uris: ['com.example.app:/oauth2redirect', CB, 'http://127.0.0.1/cb'],
        application_type: 'native',
        token_endpoint_auth_method: 'none',
      },
    },
  ])
})

describe('RFC 8252 §7.2, A16: claimed https redirect URIs for native clients', () => {
  accepts(
    CLIENTS.slice(2).map((client) => ({
      name: `RFC 8252 §7.2, A16: accepts claimed https ${CB} for ${client.kind}`,
      body: { redirect_uris: [CB], ...client.body },
      registered: client.body,
    })),
  )
})

describe('RFC 7591 §5 (p): redirect host allow-list (redirectUriHosts), loopback exempt', () => {
  const hosts: Partial<RegistrationPolicy> = { redirectUriHosts: ['c.example', '*.example.com'] }
  accepts(
    [
      'https://c.example/cb',
      'https://app.example.com/cb',
      'https://a.b.example.com/cb',
      'https://APP.Example.COM/cb',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'http://localhost:3000/cb',
    ].map((uri) => ({
      name: `RFC 7591 §5: accepts ${uri} with redirectUriHosts [c.example, *.example.com]`,
      body: { redirect_uris: [uri] },
      policy: hosts,
      registered: { redirect_uris: [uri] },
    })),
  )
  refuses(
    [
      'https://evil.example/cb',
      'https://example.com/cb',
      'https://evilexample.com/cb',
      'https://c.example.evil.example/cb',
      'https://app.example.com.evil.example/cb',
    ].map((uri) => ({
      name: `RFC 7591 §5: rejects ${uri} with redirectUriHosts [c.example, *.example.com]`,
      body: { redirect_uris: [uri] },
      policy: hosts,
      code: 'invalid_redirect_uri' as const,
      mentions: ['host'],
    })),
  )
})

describe('RFC 7591 §2 / R7591-25, RFC 9700 §2.4, A39: grant_types are checked against the allow-list', () => {
  refuses([
    ...['password', 'implicit', 'client_credentials', JWT_BEARER].map((grant) => ({
      name: `RFC 9700 §2.4, A39: rejects grant_types [${grant}] when the policy does not allow it`,
      body: { redirect_uris: [CB], grant_types: [grant] },
      code: 'invalid_client_metadata' as const,
      mentions: [grant],
    })),
    {
      name: 'R7591-25: rejects saml2-bearer even when every known grant is allowed',
      body: { redirect_uris: [CB], grant_types: [SAML2_BEARER] },
      policy: allowGrants(
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'password',
        'implicit',
        JWT_BEARER,
      ),
      code: 'invalid_client_metadata',
      mentions: [SAML2_BEARER],
    },
    {
      name: 'R7591-25: rejects the unknown grant "foo"',
      body: { redirect_uris: [CB], grant_types: ['authorization_code', 'foo'] },
      code: 'invalid_client_metadata',
      mentions: ['foo'],
    },
    {
      name: 'R7591-25: grant_type strings are exact: "Authorization_Code" is unknown',
      body: { redirect_uris: [CB], grant_types: ['Authorization_Code'] },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-25: rejects the empty grant ""',
      body: { redirect_uris: [CB], grant_types: [''] },
      code: 'invalid_client_metadata',
    },
  ])
  accepts([
    {
      name: 'R7591-25: password is accepted when listed',
      body: { grant_types: ['password'] },
      policy: allowGrants('password'),
      registered: { redirect_uris: [], grant_types: ['password'], response_types: [] },
    },
    {
      name: 'R7591-25: implicit is accepted when listed, with response_types [token] implied',
      body: { redirect_uris: [CB], grant_types: ['implicit'] },
      policy: allowGrants('implicit'),
      registered: { grant_types: ['implicit'], response_types: ['token'] },
    },
    {
      name: 'R7591-25: client_credentials is accepted when listed',
      body: { grant_types: ['client_credentials'] },
      policy: allowGrants('client_credentials'),
      registered: { redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
    },
  ])
})

describe('A42: a grant the server cannot serve is refused, even when the allow-list names it', () => {
  const everyGrant = allowGrants(...GRANT_TYPES)
  const switchedOff = { ...everyGrant, servedGrantTypes: servedGrantTypes(OFF) }
  refuses([
    {
      name: 'A42, RFC 7523 §2.1: jwt-bearer is refused when listed: no grant implements it',
      body: { grant_types: [JWT_BEARER] },
      policy: everyGrant,
      code: 'invalid_client_metadata',
      mentions: ['grant_types', JWT_BEARER, 'not implemented'],
    },
    {
      name: 'A42, RFC 9700 §2.4: password is refused when listed while authorization.password is off',
      body: { grant_types: ['password'] },
      policy: switchedOff,
      code: 'invalid_client_metadata',
      mentions: ['grant_types', "'password'", 'not enabled', 'authorization.password'],
    },
    {
      name: 'A42, RFC 9700 §2.1.2: implicit is refused when listed while authorization.implicit is off',
      body: { redirect_uris: [CB], grant_types: ['implicit'] },
      policy: switchedOff,
      code: 'invalid_client_metadata',
      mentions: ['grant_types', "'implicit'", 'not enabled', 'authorization.implicit'],
    },
    {
      name: 'A42: a grant neither served nor allowed is refused for not being served',
      body: { grant_types: ['password'] },
      policy: { servedGrantTypes: servedGrantTypes(OFF) },
      code: 'invalid_client_metadata',
      mentions: ['authorization.password'],
    },
  ])
  accepts([
    {
      name: 'A42: client_credentials and refresh_token need no switch',
      body: { redirect_uris: [CB], grant_types: ['authorization_code', 'client_credentials'] },
      policy: switchedOff,
      registered: { grant_types: ['authorization_code', 'client_credentials'] },
    },
  ])

  it('A42: the allow-list refusal offers only grants the server serves', () => {
    const error = rejection(
      { grant_types: ['client_credentials'] },
      {
        allowedGrantTypes: new Set<GrantType>(['authorization_code', 'password', JWT_BEARER]),
        servedGrantTypes: servedGrantTypes(OFF),
      },
    )
    expect(error.description).toContain('allowed: authorization_code')
    expect(error.description).not.toContain('password')
    expect(error.description).not.toContain(JWT_BEARER)
  })
})

describe('RFC 7591 §2.1 / R7591-24: grant_types and response_types must agree', () => {
  const withClientCredentials = allowGrants('authorization_code', 'client_credentials', 'implicit')
  refuses([
    {
      name: 'RFC 7591 §2.1: authorization_code with response_types [token] is inconsistent',
      body: { redirect_uris: [CB], grant_types: ['authorization_code'], response_types: ['token'] },
      code: 'invalid_client_metadata',
      mentions: ['token'],
    },
    {
      name: 'RFC 7591 §2.1: response_types [code] with grant_types [client_credentials] is inconsistent',
      body: { grant_types: ['client_credentials'], response_types: ['code'] },
      policy: withClientCredentials,
      code: 'invalid_client_metadata',
      mentions: ['authorization_code'],
    },
    {
      name: 'RFC 7591 §2.1: authorization_code with response_types [] is inconsistent',
      body: { redirect_uris: [CB], response_types: [] },
      code: 'invalid_client_metadata',
      mentions: ['code'],
    },
    {
      name: 'RFC 7591 §2.1: implicit with response_types [code] is inconsistent',
      body: { redirect_uris: [CB], grant_types: ['implicit'], response_types: ['code'] },
      policy: withClientCredentials,
      code: 'invalid_client_metadata',
    },
    {
      name: 'RFC 7591 §2: an unsupported response_types value (id_token) is refused',
      body: { redirect_uris: [CB], response_types: ['code', 'id_token'] },
      code: 'invalid_client_metadata',
      mentions: ['id_token'],
    },
  ])
  accepts([
    {
      name: 'RFC 7591 §2.1: a client_credentials-only client without response_types gets response_types []',
      body: { grant_types: ['client_credentials'] },
      policy: withClientCredentials,
      registered: { redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
    },
    {
      name: 'RFC 7591 §2.1: a client_credentials-only client may send response_types []',
      body: { grant_types: ['client_credentials'], response_types: [] },
      policy: withClientCredentials,
      registered: { redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
    },
    {
      name: 'RFC 7591 §2.1: authorization_code + implicit with response_types [code, token] agree',
      body: {
        redirect_uris: [CB],
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code', 'token'],
      },
      policy: withClientCredentials,
      registered: {
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code', 'token'],
      },
    },
  ])
})

describe('RFC 7591 §2 jwks / jwks_uri, ROIDCR-07/08: client keys', () => {
  refuses([
    {
      name: 'R7591-28: jwks and jwks_uri MUST NOT both be present',
      body: {
        redirect_uris: [CB],
        jwks: { keys: [ecPublicJwk] },
        jwks_uri: 'https://c.example/jwks.json',
      },
      code: 'invalid_client_metadata',
      mentions: ['jwks_uri'],
    },
    {
      name: 'R7591-29: jwks {"kty":"RSA"} is not a JWK Set',
      body: { redirect_uris: [CB], jwks: { kty: 'RSA' } },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-29: jwks {"keys":"x"} is not a JWK Set',
      body: { redirect_uris: [CB], jwks: { keys: 'x' } },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-29: jwks {"keys":[]} holds no key',
      body: { redirect_uris: [CB], jwks: { keys: [] } },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-29: jwks {"keys":[1]} holds a non-object',
      body: { redirect_uris: [CB], jwks: { keys: [1] } },
      code: 'invalid_client_metadata',
    },
    {
      name: 'ROIDCR-08: a key with the private member d is refused',
      body: { redirect_uris: [CB], jwks: { keys: [ecPrivateJwk] } },
      code: 'invalid_client_metadata',
      mentions: ["'d'"],
    },
    {
      name: 'ROIDCR-08: a symmetric key (kty oct) is refused',
      body: { redirect_uris: [CB], jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      code: 'invalid_client_metadata',
      mentions: ['symmetric'],
    },
    {
      name: 'R7591-29: an RSA key missing n is not a valid JWK',
      body: { redirect_uris: [CB], jwks: { keys: [{ kty: rsaPublicJwk.kty, e: rsaPublicJwk.e }] } },
      code: 'invalid_client_metadata',
      mentions: ['jwks.keys[0]'],
    },
    {
      name: 'R7591-29: a key without kty is not a valid JWK',
      body: { redirect_uris: [CB], jwks: { keys: [{ n: rsaPublicJwk.n, e: rsaPublicJwk.e }] } },
      code: 'invalid_client_metadata',
    },
    {
      name: 'R7591-29: the second key of the set is checked too',
      body: { redirect_uris: [CB], jwks: { keys: [ecPublicJwk, { kty: 'EC', crv: 'P-256' }] } },
      code: 'invalid_client_metadata',
      mentions: ['jwks.keys[1]'],
    },
    {
      name: 'ROIDCR-07 / R7591-30: an http jwks_uri is refused',
      body: { redirect_uris: [CB], jwks_uri: 'http://c.example/jwks.json' },
      code: 'invalid_client_metadata',
      mentions: ['jwks_uri'],
    },
    {
      name: 'R7591-30: a relative jwks_uri is refused',
      body: { redirect_uris: [CB], jwks_uri: '/jwks.json' },
      code: 'invalid_client_metadata',
    },
  ])
  accepts([
    {
      name: 'R7591-29: a valid EC P-256 public JWK is accepted and registered as sent',
      body: { redirect_uris: [CB], jwks: { keys: [ecPublicJwk] } },
      registered: { jwks: { keys: [ecPublicJwk] } },
    },
    {
      name: 'R7591-29: a valid RSA public JWK is accepted',
      body: { redirect_uris: [CB], jwks: { keys: [rsaPublicJwk] } },
      registered: { jwks: { keys: [rsaPublicJwk] } },
    },
    {
      name: 'RFC 7523 §2.2: private_key_jwt with jwks is accepted',
      body: {
        redirect_uris: [CB],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [ecPublicJwk] },
      },
      registered: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecPublicJwk] } },
    },
    {
      name: 'RFC 7523 §2.2: private_key_jwt with an https jwks_uri is accepted',
      body: {
        redirect_uris: [CB],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'https://c.example/jwks.json',
      },
      registered: {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'https://c.example/jwks.json',
      },
    },
  ])
})

describe('A42, RFC 7518 §3.3: RSA keys in jwks are at least 2048 bits', () => {
  const rsaOf = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' })
  const rsa1024 = rsaOf(1024)
  const rsa3072 = rsaOf(3072)
  refuses([
    {
      name: 'RFC 7518 §3.3: a 1024-bit RSA key is refused, saying the minimum',
      body: { redirect_uris: [CB], jwks: { keys: [rsa1024] } },
      code: 'invalid_client_metadata',
      mentions: ['jwks.keys[0]', '1024-bit', '2048 bits', 'RFC 7518'],
    },
    {
      name: 'RFC 7518 §3.3: a 2040-bit RSA key is refused, even beside a good key',
      body: {
        redirect_uris: [CB],
        jwks: { keys: [ecPublicJwk, { ...rsaOf(2040), alg: 'PS256' }] },
      },
      code: 'invalid_client_metadata',
      mentions: ['jwks.keys[1]', '2040-bit'],
    },
    {
      name: 'RFC 7518 §3.3: a short RSA key is refused for private_key_jwt too',
      body: {
        redirect_uris: [CB],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...rsa1024, alg: 'RS256', kid: 'k1' }] },
      },
      code: 'invalid_client_metadata',
      mentions: ['1024-bit'],
    },
  ])
  accepts([
    {
      name: 'RFC 7518 §3.3: a 3072-bit RSA key is accepted',
      body: { redirect_uris: [CB], jwks: { keys: [rsa3072] } },
      registered: { jwks: { keys: [rsa3072] } },
    },
  ])
})

describe('RFC 7591 §2 / R7591-27, R7591-31: token_endpoint_auth_method', () => {
  refuses([
    ...['client_secret_jwt', 'magic', '', 'NONE'].map((method) => ({
      name: `R7591-27: unsupported token_endpoint_auth_method ${JSON.stringify(method)} is refused`,
      body: { redirect_uris: [CB], token_endpoint_auth_method: method },
      code: 'invalid_client_metadata' as const,
      mentions: ['token_endpoint_auth_method'],
    })),
    {
      name: 'RFC 6749 §4.4: none with client_credentials is refused',
      body: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      policy: allowGrants('client_credentials'),
      code: 'invalid_client_metadata',
      mentions: ['client_credentials'],
    },
    {
      name: 'R7591-31: private_key_jwt without jwks or jwks_uri is refused',
      body: { redirect_uris: [CB], token_endpoint_auth_method: 'private_key_jwt' },
      code: 'invalid_client_metadata',
      mentions: ['private_key_jwt'],
    },
  ])
  accepts([
    {
      name: 'R7591-13: none registers a public client',
      body: { redirect_uris: [CB], token_endpoint_auth_method: 'none' },
      registered: { token_endpoint_auth_method: 'none' },
    },
  ])
})

describe('RFC 7591 §2 redirect_uris / R7591-21, A10: redirect-based grants need redirect URIs', () => {
  refuses([
    {
      name: 'R7591-21: {} (grant_types defaults to authorization_code) without redirect_uris → invalid_redirect_uri',
      body: {},
      code: 'invalid_redirect_uri',
      mentions: ['redirect_uris'],
    },
    {
      name: 'R7591-21: redirect_uris [] → invalid_redirect_uri',
      body: { redirect_uris: [] },
      code: 'invalid_redirect_uri',
    },
    {
      name: 'R7591-21: redirect_uris null (absent) → invalid_redirect_uri',
      body: { redirect_uris: null },
      code: 'invalid_redirect_uri',
    },
    {
      name: 'R7591-21: explicit authorization_code + refresh_token without redirect_uris → invalid_redirect_uri',
      body: { grant_types: ['authorization_code', 'refresh_token'] },
      code: 'invalid_redirect_uri',
    },
    {
      name: 'R7591-21: implicit without redirect_uris → invalid_redirect_uri',
      body: { grant_types: ['implicit'] },
      policy: allowGrants('implicit'),
      code: 'invalid_redirect_uri',
      mentions: ['implicit'],
    },
  ])
})

describe('RFC 7591 §2: duplicates in arrays are removed, first-seen order kept', () => {
  accepts([
    {
      name: 'RFC 7591 §2: redirect_uris, grant_types, contacts and scope tokens are de-duplicated',
      body: {
        redirect_uris: [CB, 'https://d.example/cb', CB],
        grant_types: ['refresh_token', 'authorization_code', 'refresh_token'],
        contacts: ['b@c.example', 'a@c.example', 'b@c.example'],
        scope: 'write read write',
      },
      registered: {
        redirect_uris: [CB, 'https://d.example/cb'],
        grant_types: ['refresh_token', 'authorization_code'],
        contacts: ['b@c.example', 'a@c.example'],
        scope: 'write read',
      },
    },
  ])
})

describe('RFC 7591 §2 scope / R7591-38, A13: scope is limited to what the server offers', () => {
  refuses([
    {
      name: 'A13: scope "admin" is outside allowedScopes and is named',
      body: { redirect_uris: [CB], scope: 'admin' },
      code: 'invalid_client_metadata',
      mentions: ['admin'],
    },
    {
      name: 'A13: scope "read admin email" names every refused value',
      body: { redirect_uris: [CB], scope: 'read admin email' },
      code: 'invalid_client_metadata',
      mentions: ['admin', 'email'],
    },
    {
      name: 'RFC 6749 §3.3: a scope token with a forbidden character is refused',
      body: { redirect_uris: [CB], scope: 'read "write"' },
      code: 'invalid_client_metadata',
    },
  ])
  accepts([
    {
      name: 'R7591-38: scope omitted → the policy defaults',
      body: { redirect_uris: [CB] },
      policy: { defaultScopes: ['read', 'write'] },
      registered: { scope: 'read write' },
    },
    {
      name: 'R7591-38: scope "" → the policy defaults',
      body: { redirect_uris: [CB], scope: '' },
      registered: { scope: 'read' },
    },
    {
      name: 'R7591-38: scope of spaces only → the policy defaults',
      body: { redirect_uris: [CB], scope: '   ' },
      registered: { scope: 'read' },
    },
    {
      name: 'R7591-38: allowed scope values are registered as sent, extra spaces dropped',
      body: { redirect_uris: [CB], scope: ' write  read ' },
      registered: { scope: 'write read' },
    },
  ])
})

describe('RFC 7591 §2.2 / R7591-32, R7591-33: language-tagged human-readable values', () => {
  accepts([
    {
      name: 'R7591-32: client_name#ja-Jpan-JP is kept beside the untagged client_name',
      body: { redirect_uris: [CB], client_name: 'My App', 'client_name#ja-Jpan-JP': 'アプリ' },
      registered: { client_name: 'My App', 'client_name#ja-Jpan-JP': 'アプリ' },
    },
    {
      name: 'R7591-33: client_name#JA-jpan-jp is normalised to client_name#ja-Jpan-JP',
      body: { redirect_uris: [CB], 'client_name#JA-jpan-jp': 'アプリ' },
      registered: { 'client_name#ja-Jpan-JP': 'アプリ' },
    },
    {
      name: 'R7591-33: both spellings with the same value are one entry',
      body: {
        redirect_uris: [CB],
        'client_name#ja-Jpan-JP': 'アプリ',
        'client_name#JA-jpan-jp': 'アプリ',
      },
      registered: { 'client_name#ja-Jpan-JP': 'アプリ' },
    },
    {
      name: 'R7591-32: logo_uri#fr and tos_uri#de with https URLs are kept',
      body: {
        redirect_uris: [CB],
        'logo_uri#fr': 'https://c.example/logo-fr.png',
        'tos_uri#de': 'https://c.example/agb',
      },
      registered: {
        'logo_uri#fr': 'https://c.example/logo-fr.png',
        'tos_uri#de': 'https://c.example/agb',
      },
    },
    {
      name: 'RFC 7591 §2: a tagged unknown field (foo#en) is ignored',
      body: { redirect_uris: [CB], 'foo#en': 'bar' },
      registered: {},
    },
    {
      name: 'RFC 7592 §2.2: a null tagged value is treated as absent',
      body: { redirect_uris: [CB], 'client_name#en': null },
      registered: {},
    },
  ])
  refuses([
    {
      name: 'R7591-33: both spellings of one tag with different values are ambiguous',
      body: {
        redirect_uris: [CB],
        'client_name#ja-Jpan-JP': 'アプリ',
        'client_name#JA-jpan-jp': 'べつのアプリ',
      },
      code: 'invalid_client_metadata',
      mentions: ['client_name#ja-Jpan-JP'],
    },
    ...['client_name#en_US', 'client_name#', 'client_name#not a tag', 'client_name#-en'].map(
      (key) => ({
        name: `RFC 7591 §2.2: ${key} does not carry a valid BCP 47 tag`,
        body: { redirect_uris: [CB], [key]: 'My App' },
        code: 'invalid_client_metadata' as const,
      }),
    ),
    {
      name: 'RFC 7591 §2.2, RFC 9700 §2.6: logo_uri#fr with a javascript: URL is refused',
      body: { redirect_uris: [CB], 'logo_uri#fr': 'javascript:alert(1)' },
      code: 'invalid_client_metadata',
      mentions: ['logo_uri#fr'],
    },
    {
      name: 'RFC 7591 §2.2: policy_uri#en over http (non-loopback) is refused',
      body: { redirect_uris: [CB], 'policy_uri#en': 'http://evil.example/privacy' },
      code: 'invalid_client_metadata',
    },
    {
      name: 'RFC 7591 §2.2: client_name#en 123 is refused',
      body: { redirect_uris: [CB], 'client_name#en': 123 },
      code: 'invalid_client_metadata',
    },
    {
      name: 'RFC 7591 §2.2: client_name#en with a control character is refused',
      body: { redirect_uris: [CB], 'client_name#en': 'My\nApp' },
      code: 'invalid_client_metadata',
      mentions: ['control'],
    },
  ])
})

describe('RFC 7591 §2 / R7591-17, R7591-06, A14: unknown metadata is dropped; null reads as absent', () => {
  accepts([
    {
      name: 'R7591-17, A14: example_extension_parameter is dropped from the result',
      body: { redirect_uris: [CB], example_extension_parameter: 'x' },
      registered: {},
    },
    {
      name: 'R7591-06: a client-chosen client_id and client_secret are dropped',
      body: { redirect_uris: [CB], client_id: 'mine', client_secret: 'hunter2' },
      registered: {},
    },
    {
      name: 'RFC 7592 §2.2: null values are treated as absent and defaults apply',
      body: {
        redirect_uris: [CB],
        client_name: null,
        grant_types: null,
        response_types: null,
        token_endpoint_auth_method: null,
        application_type: null,
        scope: null,
        contacts: null,
        jwks: null,
        jwks_uri: null,
      },
      registered: {},
    },
  ])
})

describe('RFC 7591 §2.2 ¶4, §5: human-readable values are printable; their URLs are web URLs', () => {
  refuses([
    ...[
      ['\u0000', 'NUL'],
      ['My\nApp', 'line feed'],
      ['My\r\nApp', 'CR LF'],
      ['\u001b[31mRed', 'ESC'],
      ['My\u007fApp', 'DEL'],
      ['My\u0085App', 'C1 NEL'],
      ['My\u009bApp', 'C1 CSI'],
    ].map(([value, what]) => ({
      name: `RFC 7591 §2.2 ¶4: client_name with ${what} is refused`,
      body: { redirect_uris: [CB], client_name: value },
      code: 'invalid_client_metadata' as const,
      mentions: ['client_name'],
    })),
    {
      name: 'RFC 7591 §2.2 ¶4: a blank client_name is refused',
      body: { redirect_uris: [CB], client_name: '   ' },
      code: 'invalid_client_metadata',
    },
    {
      name: 'RFC 7591 §2: contacts with a header-injection line break are refused',
      body: { redirect_uris: [CB], contacts: ['ops@c.example\r\nBcc: all@c.example'] },
      code: 'invalid_client_metadata',
      mentions: ['contacts[0]'],
    },
    ...[
      ['logo_uri', 'javascript:alert(1)'],
      ['logo_uri', 'data:image/svg+xml,<svg onload=alert(1)>'],
      ['client_uri', 'http://evil.example/'],
      ['tos_uri', '/tos'],
      ['policy_uri', 'https://user:pw@c.example/privacy'],
    ].map(([field = '', value]) => ({
      name: `RFC 7591 §5: ${field} ${value} is refused`,
      body: { redirect_uris: [CB], [field]: value },
      code: 'invalid_client_metadata' as const,
      mentions: [field],
    })),
  ])
  accepts([
    {
      name: 'RFC 7591 §2.2 ¶4: a client_name with non-ASCII letters and quotes is used as is',
      body: { redirect_uris: [CB], client_name: 'Café "Zürich" \\ 東京' },
      registered: { client_name: 'Café "Zürich" \\ 東京' },
    },
  ])
})

describe('RFC 6749 §5.2: error_description stays within %x20-21 / %x23-5B / %x5D-7E', () => {
  it('raw descriptions quote client input; toErrorDescription makes them header-safe', () => {
    const error = rejection({ redirect_uris: ['https://c.example/"é\\#x'] })
    expect(error.code).toBe('invalid_redirect_uri')
    // The source leaves the description raw (it quotes the URI and cites "§"): the HTTP layer
    // must pass it through toErrorDescription before sending it.
    expect(error.description).toContain('"é\\')
    const safe = toErrorDescription(error.description)
    expect(safe).toMatch(ERROR_DESCRIPTION_CHARS)
    expect(safe).toContain('%22%C3%A9%5C')
  })
})
