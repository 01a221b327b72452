import { describe, expect, it } from 'vitest'
import {
  authorizationServerMetadata,
  registrationClientUri,
} from './authorization-server-metadata.js'
import type { IssuerLocation } from './endpoint-paths.js'

// As resolveOptions derives it: the issuer's path without its trailing slashes.
const options = (issuer: string): IssuerLocation => ({
  issuer,
  basePath: new URL(issuer).pathname.replace(/\/+$/, ''),
})

// registrationClientUri before the prefix was cached: a URL parsed and its path set per call.
// Clients keep the URI they were given, so the new code must give the same bytes.
function referenceUri(options: IssuerLocation, clientId: string): string {
  const url = new URL(options.issuer)
  url.pathname = `${options.basePath}/register/${encodeURIComponent(clientId)}`
  return url.toString()
}

const ISSUERS = [
  'https://as.example',
  'https://as.example/',
  'https://as.example/tenant',
  'https://as.example/tenant/',
  'https://as.example/tenant//',
  'https://as.example//',
  'https://as.example/a/b/',
  'https://as.example/a/../b',
  'https://as.example/a/./b/',
  'https://as.example/a%2e/b',
  'https://AS.Example/Tenant',
  'https://as.example:443/t',
  'https://as.example:8443/t',
  'https://user:pass@as.example/t',
  'https://bücher.example/t',
  'https://as.example/a b',
  'https://as.example/café',
  'https://as.example/caf%C3%A9/',
  'http://127.0.0.1:18181',
  'http://localhost/base/',
  'http://[::1]:8080/',
]

const CLIENT_IDS = [
  'sM3qT0d2Xc9kZ1vYbN4wPg',
  '',
  '.',
  '..',
  '...',
  '.x',
  'a.b',
  '%2e',
  '%2e%2e',
  'a/b',
  'a b',
  '?x#y',
  'a\\b',
  'é',
  '🔑',
]

describe('RFC 7592 §3: registration_client_uri is the issuer path + /register/{client_id}', () => {
  it.each([
    ['https://as.example', 'abc', 'https://as.example/register/abc'],
    ['https://as.example/', 'abc', 'https://as.example/register/abc'],
    ['https://as.example/tenant/', 'abc', 'https://as.example/tenant/register/abc'],
    ['http://127.0.0.1:18181', 'a b/c', 'http://127.0.0.1:18181/register/a%20b%2Fc'],
    ['https://as.example/t', '..', 'https://as.example/t/'],
  ])('for the issuer %s, client %s is managed at %s', (issuer, clientId, expected) => {
    expect(registrationClientUri(options(issuer), clientId)).toBe(expected)
  })

  describe.each(ISSUERS)(
    'the same bytes as parsing the URL every time, for the issuer %s',
    (issuer) => {
      const resolved = options(issuer)
      it.each(CLIENT_IDS)('client id %j', (clientId) => {
        expect(registrationClientUri(resolved, clientId)).toBe(referenceUri(resolved, clientId))
        // Twice: the second call is served from the cached prefix.
        expect(registrationClientUri(resolved, clientId)).toBe(referenceUri(resolved, clientId))
      })
    },
  )

  // resolveOptions refuses these; options built by hand still get endpointUrl's answer.
  it.each([
    ['an issuer with a query', 'https://as.example/t?x=1'],
    ['an issuer with a fragment', 'https://as.example/t#f'],
    ['an issuer that is not hierarchical', 'urn:example:as'],
  ])('falls back to parsing the URL for %s', (_, issuer) => {
    const resolved: IssuerLocation = { ...options('https://as.example/t'), issuer }
    for (const clientId of CLIENT_IDS) {
      expect(registrationClientUri(resolved, clientId)).toBe(referenceUri(resolved, clientId))
    }
  })
})

const FEATURES = {
  scopes: ['read'],
  registration: true,
  implicit: false,
  password: false,
  jwks: false,
}

describe('RFC 8414 §2: the discovery document lists only what works', () => {
  it.each([
    ['registration on', FEATURES, 'registration_endpoint', true],
    ['registration off', { ...FEATURES, registration: false }, 'registration_endpoint', false],
    ['JWT access tokens', { ...FEATURES, jwks: true }, 'jwks_uri', true],
    ['opaque access tokens', FEATURES, 'jwks_uri', false],
    [
      'no scopes (§3.2: omitted, never empty)',
      { ...FEATURES, scopes: [] },
      'scopes_supported',
      false,
    ],
  ])('%s: %s present is %s', (_name, features, member, present) => {
    const metadata = authorizationServerMetadata(options('https://as.example/t'), features)
    expect(member in metadata).toBe(present)
  })

  it('implicit is listed among grant types only when offered (RFC 8414 §2 lists it there)', () => {
    const on = authorizationServerMetadata(options('https://as.example'), {
      ...FEATURES,
      implicit: true,
    })
    const off = authorizationServerMetadata(options('https://as.example'), FEATURES)
    expect(on.grant_types_supported).toContain('implicit')
    expect(off.grant_types_supported).not.toContain('implicit')
    expect(on.response_types_supported).toEqual(['code', 'token'])
  })

  it('endpoints live under the issuer path', () => {
    const metadata = authorizationServerMetadata(options('https://as.example/t/'), FEATURES)
    expect(metadata).toMatchObject({
      issuer: 'https://as.example/t/',
      authorization_endpoint: 'https://as.example/t/authorize',
      registration_endpoint: 'https://as.example/t/register',
    })
  })
})
