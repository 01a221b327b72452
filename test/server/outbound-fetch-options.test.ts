import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/core/store/store.js'
import type { RegistrarOptions } from '../../src/options.js'
import { DEFAULTS, resolveOptions } from '../../src/options.js'
import { createRegistrar } from '../../src/registrar.js'
import { openSqliteStore } from '../../src/store/sqlite.js'

/**
 * docs/decisions.md B6: `outboundFetch.allowPrivateAddresses` is off by default, refuses an entry
 * it cannot read with a TypeError naming it, and is honoured by every check that refuses a
 * special-use address early (a trusted issuer's jwksUri at start-up, a client's jwks_uri at
 * registration), not only by the fetch.
 */

let store: Store

beforeAll(async () => {
  store = await openSqliteStore({ path: ':memory:' })
})

afterAll(async () => {
  await store.close()
})

function options(
  allowPrivateAddresses: unknown,
  extra: Partial<RegistrarOptions> = {},
): RegistrarOptions {
  return {
    issuer: 'https://as.example',
    store,
    outboundFetch: { allowPrivateAddresses } as RegistrarOptions['outboundFetch'] & object,
    ...extra,
  }
}

describe('outboundFetch.allowPrivateAddresses: default and validation', () => {
  it('is false by default: nothing special-use is allowed', () => {
    expect(DEFAULTS.outboundFetch.allowPrivateAddresses).toBe(false)
    const resolved = resolveOptions({ issuer: 'https://as.example', store })
    expect(resolved.outboundFetch.allowPrivateAddresses.all).toBe(false)
    expect(resolved.outboundFetch.allowPrivateAddresses.entries).toEqual([])
  })

  it.each([
    [['jwks.internal.example', '*.example.com'], 1, 'no wildcards'],
    [['10.0.0.0/33'], 0, 'not a valid IPv4 or IPv6 CIDR'],
    [['fd00::/8', '10.1.0.0/8'], 1, 'bits set after its prefix length'],
    [['https://jwks.example/'], 0, 'not a valid IPv4 or IPv6 CIDR'],
    [[''], 0, 'neither a host name'],
  ])('%j: TypeError naming entry [%i]', (entries, index, problem) => {
    expect(() => resolveOptions(options(entries))).toThrowError(TypeError)
    expect(() => resolveOptions(options(entries))).toThrowError(
      `outboundFetch.allowPrivateAddresses[${index}]: `,
    )
    expect(() => resolveOptions(options(entries))).toThrowError(problem)
  })

  it.each([['yes'], [1], [null], [[42]]])('%j is refused naming the option', (value) => {
    expect(() => resolveOptions(options(value))).toThrowError(
      /outboundFetch\.allowPrivateAddresses/,
    )
  })

  it('true and a valid list resolve, keeping what they allow', () => {
    expect(resolveOptions(options(true)).outboundFetch.allowPrivateAddresses.all).toBe(true)
    const list = resolveOptions(options(['JWKS.internal.example', '10.0.0.0/8', 'fd00::/8']))
      .outboundFetch.allowPrivateAddresses
    expect(list.all).toBe(false)
    expect([...list.hosts]).toEqual(['jwks.internal.example'])
    expect(list.ranges).toHaveLength(2)
  })
})

describe("a trusted issuer's jwksUri on a special-use literal starts only when the opt-in covers it", () => {
  const issuerAt = (jwksUri: string): Partial<RegistrarOptions> => ({
    registration: {
      softwareStatement: { trustedIssuers: [{ issuer: 'https://statements.example', jwksUri }] },
    },
  })

  it.each([
    ['https://10.0.0.5/jwks', ['10.0.0.0/8']],
    ['https://10.0.0.5/jwks', true],
    ['https://[fd00::5]/jwks', ['fd00::/8']],
  ])('%s with %j starts', (jwksUri, allow) => {
    expect(() => resolveOptions(options(allow, issuerAt(jwksUri)))).not.toThrow()
  })

  it.each([
    ['https://10.0.0.5/jwks', false, 'private'],
    ['https://10.0.0.5/jwks', ['192.168.0.0/16'], 'private'],
    ['https://127.0.0.1/jwks', ['localhost'], 'loopback'],
  ])('%s with %j is refused naming the key', (jwksUri, allow, name) => {
    expect(() => resolveOptions(options(allow, issuerAt(jwksUri)))).toThrowError(
      `registration.softwareStatement.trustedIssuers[0].jwksUri: must not name a special-use address (${name}, `,
    )
  })
})

describe('RFC 7591 §2: a jwks_uri literal in an allowed range is accepted at registration', () => {
  async function register(allow: unknown, jwksUri: string) {
    const registrar = createRegistrar(
      options(allow, { registration: { allowedGrantTypes: ['client_credentials'] } }),
    )
    const response = await registrar.fetch(
      new Request('https://as.example/register', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: jwksUri,
        }),
      }),
    )
    const text = await response.text()
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> }
  }

  it.each([
    ['https://10.0.0.5/jwks', ['10.0.0.0/8'], 201],
    ['https://[fd00::5]/jwks', ['fd00::/8'], 201],
    ['https://127.0.0.1:8443/jwks', true, 201],
    ['https://10.0.0.5/jwks', ['172.16.0.0/12'], 400],
    ['https://10.0.0.5/jwks', false, 400],
    ['https://127.0.0.1/jwks', ['jwks.internal.example'], 400],
  ])('%s with %j → %i', async (jwksUri, allow, status) => {
    const result = await register(allow, jwksUri)
    expect(result.status, result.text).toBe(status)
    if (status === 400) {
      expect(result.json?.error).toBe('invalid_client_metadata')
      expect(result.json?.error_description).toContain('is a special-use address')
    }
  })
})
