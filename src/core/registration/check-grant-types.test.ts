import { describe, expect, it } from 'vitest'
import { authorizationServerMetadata } from '../discovery/authorization-server-metadata.js'
import { servedGrantTypes, unservedAllowedGrants } from './check-grant-types.js'
import type { GrantType } from './client-metadata.js'
import { GRANT_TYPES } from './client-metadata.js'

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const SWITCHES = [
  { implicit: false, password: false },
  { implicit: true, password: false },
  { implicit: false, password: true },
  { implicit: true, password: true },
] as const

describe('A42: the grants a client may register are the grants the server serves', () => {
  it.each(SWITCHES)(
    'RFC 8414 §2: discovery grant_types_supported is exactly the served set (implicit $implicit, password $password)',
    (switches) => {
      const metadata = authorizationServerMetadata(
        { issuer: 'https://as.example', basePath: '' },
        { scopes: ['read'], registration: true, jwks: false, ...switches },
      )
      const listed = metadata.grant_types_supported as readonly string[]
      expect(new Set(listed)).toEqual(servedGrantTypes(switches))
    },
  )

  it.each(SWITCHES)(
    'RFC 7523 §2.1: jwt-bearer is never served, and the switches decide password and implicit (%o)',
    (switches) => {
      const served = servedGrantTypes(switches)
      expect(served.has(JWT_BEARER)).toBe(false)
      expect(served.has('password')).toBe(switches.password)
      expect(served.has('implicit')).toBe(switches.implicit)
      for (const always of ['authorization_code', 'refresh_token', 'client_credentials'] as const) {
        expect(served.has(always)).toBe(true)
      }
    },
  )
})

describe('A42: what start-up warns about', () => {
  it.each([
    [
      'every grant listed, both switches off',
      GRANT_TYPES,
      { implicit: false, password: false },
      [
        "'password' is not enabled on this server (authorization.password)",
        "'implicit' is not enabled on this server (authorization.implicit)",
        `'${JWT_BEARER}' is not implemented by this server`,
      ],
    ],
    [
      'every grant listed, both switches on',
      GRANT_TYPES,
      { implicit: true, password: true },
      [`'${JWT_BEARER}' is not implemented by this server`],
    ],
    [
      'the default allow-list',
      ['authorization_code', 'refresh_token'],
      { implicit: false, password: false },
      [],
    ],
  ] as const)('%s', (_name, allowed, switches, expected) => {
    const listed = new Set<GrantType>(allowed)
    expect(unservedAllowedGrants(listed, servedGrantTypes(switches))).toEqual(expected)
  })
})
