import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { GRANT_TYPES } from './core/registration/client-metadata.js'
import type { Store } from './core/store/store.js'
import type { AuthorizationOptions, RegistrarOptions, RegistrationOptions } from './options.js'
import {
  adminRegistrationPolicy,
  DEFAULTS,
  resolveOptions,
  resolveSettings,
  settingsSchema,
} from './options.js'

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

  it('fills a default for a key given as undefined, as for one left out (rule 5)', () => {
    const options = resolve({ tokens: { accessTokenTtlSeconds: undefined } } as never)
    expect(options.tokens.accessTokenTtlSeconds).toBe(DEFAULTS.tokens.accessTokenTtlSeconds)
  })
})

/** JSON as a shape: no readonly, no `| undefined` on optional keys. */
type Plain<T> = T extends readonly (infer E)[]
  ? Plain<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: Plain<Exclude<T[K], undefined>> }
    : T
type HostHook = 'authenticateUser' | 'renderLogin' | 'renderConsent'
/** What of RegistrarOptions a JSON file can hold, apart from the issuer. */
type JsonSettings = Omit<
  RegistrarOptions,
  'issuer' | 'store' | 'logger' | 'registration' | 'authorization'
> & {
  readonly registration?: Omit<RegistrationOptions, 'authorizeRegistration'>
  readonly authorization?: Omit<AuthorizationOptions, HostHook>
}

describe('the schema is the one source of the defaults', () => {
  it('types what RegistrarOptions documents the way the schema reads it', () => {
    // Both ways, so neither accepts a value the other refuses. The keys themselves, which
    // assignability cannot compare, are held equal by test/readme-config.test.ts.
    expectTypeOf<Plain<JsonSettings>>().toExtend<Plain<z.input<typeof settingsSchema>>>()
    expectTypeOf<Plain<z.input<typeof settingsSchema>>>().toExtend<Plain<JsonSettings>>()
  })

  it('DEFAULTS is the schema read from an empty configuration, frozen to the leaves', () => {
    expect(DEFAULTS).toEqual(settingsSchema.parse({}))
    expect(Object.isFrozen(DEFAULTS.registration.rateLimit)).toBe(true)
    expect(Object.isFrozen(DEFAULTS.scopes)).toBe(true)
    // Freezing DEFAULTS left the schema's own default values alone.
    expect(Object.isFrozen(settingsSchema.parse({}).scopes)).toBe(false)
  })

  it('resolves a config file the way it resolves the options (one resolver for server and CLI)', () => {
    const json = { scopes: ['a', 'b'], registration: { allowedScopes: ['a'], management: false } }
    const { issuer, basePath, logger, ...options } = resolve(json)
    const settings = resolveSettings(settingsSchema.parse(json))
    expect(settings.registration).toEqual({
      ...options.registration,
      authorizeRegistration: undefined,
    })
    expect(settings.registration.management).toEqual({
      enabled: false,
      tokenExpiresInSeconds: null,
      rotateOnUpdate: true,
      allowAdminClients: false,
    })
    expect(settings.tokens).toEqual(options.tokens)
    expect(settings.scopes).toEqual(options.scopes)
    expect(Object.isFrozen(settings.registration.policy)).toBe(true)
  })

  it('widens the policy for an administrator only in grant types, redirect hosts and scopes', () => {
    const settings = resolve({
      scopes: ['read', 'write', 'admin'],
      registration: {
        allowedScopes: ['read'],
        redirectUriHosts: ['app.example'],
        requireReverseDomainSchemes: true,
      },
    })
    const dynamic = settings.registration.policy
    const admin = adminRegistrationPolicy(settings)
    expect([...admin.allowedGrantTypes]).toEqual([...GRANT_TYPES])
    expect(admin.redirectUriHosts).toBeNull()
    expect([...admin.allowedScopes]).toEqual(['read', 'write', 'admin'])
    expect(admin.requireHttpsRedirectUris).toBe(dynamic.requireHttpsRedirectUris)
    expect(admin.requireReverseDomainSchemes).toBe(true)
    expect(admin.defaultScopes).toEqual(['read'])
  })
})
