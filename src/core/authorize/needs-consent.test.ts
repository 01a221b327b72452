import { describe, expect, it } from 'vitest'
import type { ClientRecord, ConsentRecord } from '../store/store.js'
import type { ConsentQuestion } from './needs-consent.js'
import { identityAssured, mergeConsent, needsConsent } from './needs-consent.js'

function client(
  authMethod: ClientRecord['metadata']['token_endpoint_auth_method'],
  trusted = false,
): ClientRecord {
  return {
    clientId: 'c1',
    clientSecretHash: authMethod === 'none' ? null : 'hash',
    clientSecretExpiresAt: 0,
    clientIdIssuedAt: 0,
    updatedAt: 0,
    metadata: {
      redirect_uris: ['https://c.example/cb'],
      token_endpoint_auth_method: authMethod,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      scope: 'read write',
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
    trusted,
    resourceServer: null,
  }
}

const REMEMBERED: ConsentRecord = {
  userId: 'u',
  clientId: 'c1',
  scopes: ['read', 'write'],
  resources: ['https://rs.example'],
  grantedAt: 0,
}
const NO_PROMPT = { none: false, login: false, consent: false }

function question(overrides: Partial<ConsentQuestion> = {}): ConsentQuestion {
  return {
    client: client('client_secret_basic'),
    redirectUri: 'https://c.example/cb',
    scopes: ['read'],
    resources: [],
    prompt: NO_PROMPT,
    remembered: REMEMBERED,
    ...overrides,
  }
}

describe('needsConsent', () => {
  it('asks when nothing was remembered', () => {
    expect(needsConsent(question({ remembered: null }))).toBe(true)
  })

  it('a remembered consent covering every scope and resource answers for the user', () => {
    expect(needsConsent(question())).toBe(false)
    expect(
      needsConsent(question({ scopes: ['read', 'write'], resources: ['https://rs.example'] })),
    ).toBe(false)
  })

  it('asks again for a scope or a resource beyond what was granted', () => {
    expect(needsConsent(question({ scopes: ['read', 'admin'] }))).toBe(true)
    expect(needsConsent(question({ resources: ['https://other.example'] }))).toBe(true)
  })

  it('OpenID Connect Core §3.1.2.1: prompt=consent always asks, even a trusted client', () => {
    const prompt = { ...NO_PROMPT, consent: true }
    expect(needsConsent(question({ prompt }))).toBe(true)
    expect(needsConsent(question({ prompt, client: client('client_secret_basic', true) }))).toBe(
      true,
    )
  })

  it('a client an administrator trusts skips consent without any remembered', () => {
    expect(needsConsent(question({ client: client('none', true), remembered: null }))).toBe(false)
  })

  it.each([
    ['a loopback redirect', 'http://127.0.0.1:5000/cb'],
    ['a private-use scheme', 'com.example.app:/cb'],
    ['https on localhost', 'https://localhost/cb'],
  ])(
    'R8252-11: a public client with %s is asked again despite a remembered consent',
    (_name, redirectUri) => {
      expect(needsConsent(question({ client: client('none'), redirectUri }))).toBe(true)
    },
  )

  it('RFC 8252 §8.6: a public client redirecting to an https host has an assured identity', () => {
    expect(identityAssured(client('none'), 'https://c.example/cb')).toBe(true)
    expect(needsConsent(question({ client: client('none') }))).toBe(false)
    expect(identityAssured(client('private_key_jwt'), 'http://127.0.0.1/cb')).toBe(true)
  })
})

describe('mergeConsent', () => {
  it('adds what was just granted to what was granted before, sorted and distinct', () => {
    expect(
      mergeConsent(REMEMBERED, {
        userId: 'u',
        clientId: 'c1',
        scopes: ['admin', 'read'],
        resources: ['https://a.example'],
        grantedAt: 5,
      }),
    ).toEqual({
      userId: 'u',
      clientId: 'c1',
      scopes: ['admin', 'read', 'write'],
      resources: ['https://a.example', 'https://rs.example'],
      grantedAt: 5,
    })
  })
})
