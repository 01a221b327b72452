import { describe, expect, it } from 'vitest'
import type { RegistrarOptions } from './options.js'
import { DEFAULTS, resolveOptions } from './options.js'
import type { Store } from './core/store/store.js'

// resolveOptions only checks that a store is present; no query runs while resolving.
const store = { getClient: async () => null } as unknown as Store

function resolve(overrides: Partial<RegistrarOptions> & Record<string, unknown>) {
  return resolveOptions({ issuer: 'https://as.example', store, ...overrides } as RegistrarOptions)
}

describe('one typed configuration object, validated at start-up with clear messages', () => {
  it('fills every documented default and freezes the result', () => {
    const options = resolve({})
    expect(options.scopes).toEqual(DEFAULTS.scopes)
    expect(options.registration.mode).toBe('open')
    expect([...options.registration.policy.allowedGrantTypes]).toEqual([
      'authorization_code',
      'refresh_token',
    ])
    expect(options.registration.policy.requireHttpsRedirectUris).toBe(true)
    expect(options.registration.rateLimit).toEqual({ max: 1000, windowSeconds: 3600 })
    expect(options.registration.clientSecretExpiresInSeconds).toBe(0)
    expect(options.registration.policy.defaultScopes).toEqual(DEFAULTS.scopes)
    expect(Object.isFrozen(options)).toBe(true)
    expect(Object.isFrozen(options.registration)).toBe(true)
  })

  it('never mutates the caller object', () => {
    const input = { issuer: 'https://as.example', store, registration: { mode: 'open' as const } }
    const copy = JSON.stringify({ ...input, store: null })
    resolveOptions(input)
    expect(JSON.stringify({ ...input, store: null })).toBe(copy)
  })

  it('derives the base path from the issuer path (RFC 8414 §3)', () => {
    expect(resolve({ issuer: 'https://as.example/tenant/' }).basePath).toBe('/tenant')
    expect(resolve({ issuer: 'https://as.example' }).basePath).toBe('')
  })

  it.each([
    [{ issuer: 'http://as.example' }, 'issuer must use https'],
    [{ issuer: 'https://as.example?x=1' }, 'issuer must not have a query'],
    [{ issuer: 'https://as.example#f' }, 'issuer must not have a fragment'],
    [{ issuer: 'not a url' }, 'issuer must be an absolute URL'],
    [{ registration: { mode: 'sometimes' } }, 'registration.mode'],
    [
      { registration: { allowedGrantTypes: ['urn:ietf:params:oauth:grant-type:saml2-bearer'] } },
      'is not supported by registrar',
    ],
    [{ registration: { allowedGrantTypes: ['magic'] } }, 'registration.allowedGrantTypes[0]'],
    [{ registration: { rateLimit: { max: 0, windowSeconds: 60 } } }, 'registration.rateLimit'],
    [{ registration: { rateLimit: true } }, 'registration.rateLimit'],
    [{ registration: { unknownKey: 1 } }, "unknown key 'unknownKey'"],
    [{ scopes: ['read', 'has space'] }, 'scopes[1]'],
    [
      { registration: { allowedScopes: ['admin'] } },
      'registration.allowedScopes: admin not in scopes',
    ],
    [
      { registration: { defaultScopes: ['write'], allowedScopes: ['read'] } },
      'registration.defaultScopes',
    ],
    [{ registration: { softwareStatement: { required: true } } }, 'trustedIssuers is empty'],
    [
      {
        registration: { softwareStatement: { trustedIssuers: [{ issuer: 'https://v.example' }] } },
      },
      'exactly one of jwks or jwksUri',
    ],
    [
      { registration: { authorizeRegistration: 'yes' } },
      'registration.authorizeRegistration must be a function',
    ],
    [{ trustProxyHops: -1 }, 'trustProxyHops'],
  ])('refuses %j with a TypeError naming the option', (overrides, message) => {
    expect(() => resolve(overrides as Partial<RegistrarOptions>)).toThrowError(TypeError)
    expect(() => resolve(overrides as Partial<RegistrarOptions>)).toThrowError(message)
  })

  it('accepts http issuers on loopback for development', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:3000', 'http://[::1]:8080']) {
      expect(resolve({ issuer }).issuer).toBe(issuer)
    }
  })

  it('refuses a missing store', () => {
    expect(() => resolveOptions({ issuer: 'https://as.example' } as RegistrarOptions)).toThrowError(
      'store must be',
    )
  })
})
