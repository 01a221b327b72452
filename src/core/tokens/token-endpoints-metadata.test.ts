import { describe, expect, it } from 'vitest'
import { tokenEndpointsMetadata } from './token-endpoints-metadata.js'

function metadata(options: {
  readonly issuer: string
  readonly password?: boolean
  readonly jwks?: boolean
}) {
  const basePath = new URL(options.issuer).pathname.replace(/\/+$/, '')
  return tokenEndpointsMetadata(
    { issuer: options.issuer, basePath },
    { password: options.password ?? false, jwks: options.jwks ?? false },
  )
}

describe('RFC 8414 §2: the token side of the discovery document', () => {
  it('endpoints live under the issuer path; no jwks_uri without JWT access tokens', () => {
    const m = metadata({ issuer: 'https://as.example/tenant' })
    expect(m).toMatchObject({
      token_endpoint: 'https://as.example/tenant/token',
      revocation_endpoint: 'https://as.example/tenant/revoke',
      introspection_endpoint: 'https://as.example/tenant/introspect',
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    })
    expect(m).not.toHaveProperty('jwks_uri')
  })

  it('§2: *_auth_signing_alg_values_supported never lists none; introspection refuses public clients', () => {
    const m = metadata({ issuer: 'https://as.example' })
    for (const endpoint of ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
      expect(m[`${endpoint}_auth_signing_alg_values_supported`]).not.toContain('none')
      expect(m[`${endpoint}_auth_methods_supported`]).toContain('private_key_jwt')
    }
    expect(m.revocation_endpoint_auth_methods_supported).toContain('none')
    expect(m.introspection_endpoint_auth_methods_supported).not.toContain('none')
  })

  it('password appears only when enabled; jwks_uri only with JWT access tokens', () => {
    const m = metadata({ issuer: 'https://as.example', password: true, jwks: true })
    expect(m.grant_types_supported).toContain('password')
    expect(m.jwks_uri).toBe('https://as.example/jwks')
  })
})
