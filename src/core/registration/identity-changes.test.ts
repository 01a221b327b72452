import { describe, expect, it } from 'vitest'
import type { ClientMetadata } from './client-metadata.js'
import { identityChanges } from './identity-changes.js'

const BEFORE: ClientMetadata = {
  redirect_uris: ['https://client.example/a', 'https://client.example/b'],
  token_endpoint_auth_method: 'private_key_jwt',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  application_type: 'web',
  scope: 'read',
  client_name: 'Notes',
  'client_name#fr': 'Notes',
  logo_uri: 'https://client.example/logo.png',
  client_uri: 'https://client.example/',
  tos_uri: 'https://client.example/tos',
  contacts: ['ops@client.example'],
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
}

/** BEFORE with `changes` applied; a member changed to undefined is removed. */
function withChanges(changes: Readonly<Record<string, unknown>>): ClientMetadata {
  const members = Object.entries({ ...BEFORE, ...changes }).filter(
    ([, value]) => value !== undefined,
  )
  return Object.fromEntries(members) as unknown as ClientMetadata
}

describe('identityChanges (docs/decisions.md A41)', () => {
  it.each<[string, Readonly<Record<string, unknown>>, readonly string[]]>([
    ['a redirect URI', { redirect_uris: ['https://attacker.example/cb'] }, ['redirect_uris']],
    [
      'one redirect URI more',
      { redirect_uris: [...BEFORE.redirect_uris, 'https://client.example/c'] },
      ['redirect_uris'],
    ],
    [
      'the authentication method',
      { token_endpoint_auth_method: 'client_secret_basic' },
      ['token_endpoint_auth_method'],
    ],
    ['a key', { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x2', y: 'y' }] } }, ['jwks']],
    [
      'keys moved to a jwks_uri',
      { jwks: undefined, jwks_uri: 'https://client.example/jwks' },
      ['jwks', 'jwks_uri'],
    ],
    ['client_name', { client_name: 'Notes Pro' }, ['client_name']],
    ['client_name removed', { client_name: undefined }, ['client_name']],
    ['client_name#fr', { 'client_name#fr': 'Notes Pro' }, ['client_name#fr']],
    ['a new client_name#de', { 'client_name#de': 'Notizen' }, ['client_name#de']],
    ['logo_uri', { logo_uri: 'https://attacker.example/logo.png' }, ['logo_uri']],
    [
      'a localized logo_uri#fr',
      { 'logo_uri#fr': 'https://client.example/fr.png' },
      ['logo_uri#fr'],
    ],
    ['client_uri', { client_uri: 'https://attacker.example/' }, ['client_uri']],
    [
      'two at once, in a stable order',
      { client_uri: 'https://x.example/', redirect_uris: ['https://x.example/cb'] },
      ['redirect_uris', 'client_uri'],
    ],
  ])('changing %s is a change of identity', (_name, changes, expected) => {
    expect(identityChanges(BEFORE, withChanges(changes))).toEqual(expected)
  })

  it.each<[string, Readonly<Record<string, unknown>>]>([
    ['nothing', {}],
    ['contacts', { contacts: ['security@client.example'] }],
    ['tos_uri', { tos_uri: 'https://client.example/terms' }],
    ['policy_uri', { policy_uri: 'https://client.example/privacy' }],
    ['tos_uri#fr', { 'tos_uri#fr': 'https://client.example/cgu' }],
    ['scope', { scope: 'read write' }],
    ['grant_types', { grant_types: ['authorization_code', 'refresh_token'] }],
    ['software_version', { software_version: '2.0' }],
    [
      'the order of redirect_uris',
      { redirect_uris: ['https://client.example/b', 'https://client.example/a'] },
    ],
    [
      'the order of members in a key',
      { jwks: { keys: [{ y: 'y', x: 'x', crv: 'P-256', kty: 'EC' }] } },
    ],
  ])('changing %s leaves identity alone', (_name, changes) => {
    expect(identityChanges(BEFORE, withChanges(changes))).toEqual([])
  })
})
