import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import type { ClientRecord } from '../store/store.js'
import type { TrustedRedirect } from './identify-client-and-redirect.js'
import { parseAuthorizationRequest, responseModeOf } from './parse-authorization-request.js'
import { readAuthorizationParameters } from './read-authorization-parameters.js'

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

function client(overrides: Partial<ClientRecord['metadata']> = {}): ClientRecord {
  return {
    clientId: 'c1',
    clientSecretHash: null,
    clientSecretExpiresAt: 0,
    clientIdIssuedAt: 0,
    updatedAt: 0,
    metadata: {
      redirect_uris: ['https://c.example/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      scope: 'read write',
      ...overrides,
    },
    provenance: {
      origin: 'dynamic',
      authorizedBy: 'open',
      ip: null,
      userAgent: null,
      initialAccessTokenId: null,
      softwareStatementIssuer: null,
      verifiedBySoftwareStatement: false,
    },
    registrationAccessTokenHash: null,
    registrationAccessTokenExpiresAt: null,
    version: 1,
    trusted: false,
    resourceServer: null,
  }
}

function target(record = client()): TrustedRedirect {
  return { client: record, redirectUri: 'https://c.example/cb', redirectUriInRequest: true }
}

const VALID = {
  response_type: 'code',
  client_id: 'c1',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  state: 'xyz',
}

function parse(
  query: Record<string, string> | string,
  options: { readonly implicit?: boolean; readonly client?: ClientRecord } = {},
) {
  return parseAuthorizationRequest(
    target(options.client),
    readAuthorizationParameters(new URLSearchParams(query)),
    { implicit: options.implicit ?? false },
  )
}

function errorOf(fn: () => unknown): string | null {
  try {
    fn()
    return null
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not an OAuthError'
  }
}

describe('parseAuthorizationRequest: the checks after the redirect URI is trusted', () => {
  it('a valid code request yields its scope, challenge, state and prompt', () => {
    const request = parse({ ...VALID, scope: 'read', resource: 'https://MCP.example.com/' })
    expect(request).toMatchObject({
      responseType: 'code',
      codeChallenge: CHALLENGE,
      state: 'xyz',
      scopes: ['read'],
      resources: ['https://mcp.example.com'],
      prompt: { none: false, login: false, consent: false },
    })
  })

  it('RFC 6749 §3.3: an omitted scope means the registered scope', () => {
    expect(parse(VALID).scopes).toEqual(['read', 'write'])
  })

  it('RFC 8707 §2: resource may repeat; values are distinct and sorted', () => {
    const query = `${new URLSearchParams(VALID)}&resource=https://b.example&resource=https://a.example&resource=https://b.example`
    expect(parse(query).resources).toEqual(['https://a.example', 'https://b.example'])
  })

  it('OAuth 2.1 §3.1: an empty parameter counts as omitted', () => {
    expect(parse({ ...VALID, scope: '', state: '' })).toMatchObject({
      scopes: ['read', 'write'],
      state: null,
    })
  })

  it.each([
    ['R6749-13: a missing response_type', { response_type: '' }, 'invalid_request'],
    [
      'R6749-13: an unknown response_type',
      { response_type: 'id_token' },
      'unsupported_response_type',
    ],
    ['a hybrid response_type', { response_type: 'code token' }, 'unsupported_response_type'],
    [
      'R9700-08: response_type token while implicit is off',
      { response_type: 'token' },
      'unsupported_response_type',
    ],
    ['R9700-04: no code_challenge', { code_challenge: '' }, 'invalid_request'],
    ['A19: code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['A19: no code_challenge_method', { code_challenge_method: '' }, 'invalid_request'],
    ['R7636-07: a malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['RFC 6749 §3.3: scope outside the registered scope', { scope: 'read admin' }, 'invalid_scope'],
    ['a scope token with a forbidden character', { scope: 'read "x"' }, 'invalid_scope'],
    ['R8707-01: a relative resource', { resource: 'rs.example' }, 'invalid_target'],
    [
      'R8707-01: a resource with a fragment',
      { resource: 'https://rs.example/#x' },
      'invalid_target',
    ],
    ['an unknown prompt value', { prompt: 'bogus' }, 'invalid_request'],
  ])('%s → %s', (_name, change, code) => {
    expect(errorOf(() => parse({ ...VALID, ...change }))).toBe(code)
  })

  it('R21-03: a duplicated parameter → invalid_request', () => {
    expect(errorOf(() => parse(`${new URLSearchParams(VALID)}&scope=read&scope=write`))).toBe(
      'invalid_request',
    )
  })

  it('RFC 6749 §4.1.2.1: a client without the authorization_code grant → unauthorized_client', () => {
    const record = client({
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })
    expect(errorOf(() => parse(VALID, { client: record }))).toBe('unauthorized_client')
  })

  it('response_type token: only when the host enabled it and the client registered implicit', () => {
    const implicitClient = client({
      grant_types: ['implicit'],
      response_types: ['token'],
    })
    const query = { response_type: 'token', client_id: 'c1', state: 's' }
    expect(errorOf(() => parse(query, { client: implicitClient }))).toBe(
      'unsupported_response_type',
    )
    expect(errorOf(() => parse(query, { implicit: true }))).toBe('unsupported_response_type')
    expect(parse(query, { implicit: true, client: implicitClient })).toMatchObject({
      responseType: 'token',
      codeChallenge: null,
    })
  })

  it('RFC 6749 §4.2.2.1: errors for response_type token go in the fragment', () => {
    const mode = (query: string) =>
      responseModeOf(readAuthorizationParameters(new URLSearchParams(query)))
    expect(mode('response_type=token')).toBe('fragment')
    expect(mode('response_type=code')).toBe('query')
    expect(mode('')).toBe('query')
  })
})
