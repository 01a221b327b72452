import { describe, expect, it } from 'vitest'
import { findRegisteredRedirectUri, redirectUriMatches } from './match-redirect-uri.js'

describe('RFC 9700 §2.1 / R9700-01: redirect URIs match by exact string comparison', () => {
  const registered = 'https://c.example/cb'

  it('the registered string itself matches', () => {
    expect(redirectUriMatches(registered, registered)).toBe(true)
  })

  it.each([
    ['a trailing slash', 'https://c.example/cb/'],
    ['an added query', 'https://c.example/cb?x=1'],
    ['an upper-case host', 'https://C.EXAMPLE/cb'],
    ['an upper-case path', 'https://c.example/CB'],
    ['dot segments', 'https://c.example/x/../cb'],
    ['an explicit default port', 'https://c.example:443/cb'],
    ['another port', 'https://c.example:8443/cb'],
    ['a percent-encoded letter', 'https://c.example/%63b'],
    ['a fragment', 'https://c.example/cb#x'],
    ['http instead of https', 'http://c.example/cb'],
    ['an upper-case scheme', 'HTTPS://c.example/cb'],
    ['userinfo', 'https://user@c.example/cb'],
    ['a subdomain', 'https://evil.c.example/cb'],
    ['a prefix', 'https://c.example/c'],
    ['trailing whitespace', 'https://c.example/cb '],
  ])('%s does not match (%s)', (_name, requested) => {
    expect(redirectUriMatches(requested, registered)).toBe(false)
  })

  it('R8252-02: a private-use scheme URI matches only itself', () => {
    const uri = 'com.example.app:/oauth2redirect/example-provider'
    expect(redirectUriMatches(uri, uri)).toBe(true)
    expect(redirectUriMatches('com.example.app://oauth2redirect/example-provider', uri)).toBe(false)
    expect(redirectUriMatches('com.example.app:/oauth2redirect/example-provider/', uri)).toBe(false)
  })

  it('compares code point by code point: a composed é is not a decomposed one', () => {
    expect(redirectUriMatches('https://c.example/caf\u00e9', 'https://c.example/cafe\u0301')).toBe(
      false,
    )
  })
})

describe('RFC 8252 §7.3 / R8252-05 / A15: a loopback redirect matches on any port', () => {
  it.each([
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb'],
    ['http://127.0.0.1:8080/cb', 'http://127.0.0.1:51004/cb'],
    ['http://127.0.0.1:8080/cb', 'http://127.0.0.1/cb'],
    ['http://[::1]/cb', 'http://[::1]:61023/cb'],
    ['http://[::1]:3000/cb', 'http://[::1]:61023/cb'],
    ['http://localhost/cb', 'http://localhost:3000/cb'],
    ['http://127.0.0.1/cb?x=1', 'http://127.0.0.1:5000/cb?x=1'],
    ['http://127.0.0.1', 'http://127.0.0.1:5000'],
    ['http://127.0.0.1:1/', 'http://127.0.0.1:65535/'],
  ])('registered %s accepts %s', (registered, requested) => {
    expect(redirectUriMatches(requested, registered)).toBe(true)
  })

  it.each([
    ['another path', 'http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb2'],
    ['a trailing slash', 'http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb/'],
    ['another query', 'http://127.0.0.1/cb?x=1', 'http://127.0.0.1:51004/cb?x=2'],
    ['an added query', 'http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb?x=1'],
    ['another loopback host', 'http://127.0.0.1/cb', 'http://localhost:51004/cb'],
    ['[::1] for 127.0.0.1', 'http://127.0.0.1/cb', 'http://[::1]:51004/cb'],
    ['https for http', 'http://127.0.0.1/cb', 'https://127.0.0.1:51004/cb'],
    ['an upper-case host', 'http://localhost/cb', 'http://LOCALHOST:3000/cb'],
    ['userinfo before the host', 'http://127.0.0.1/cb', 'http://127.0.0.1@evil.example/cb'],
    ['a host that merely starts alike', 'http://127.0.0.1/cb', 'http://127.0.0.1.evil.example/cb'],
    ['an empty port', 'http://127.0.0.1/cb', 'http://127.0.0.1:/cb'],
    ['a port past 65535', 'http://127.0.0.1/cb', 'http://127.0.0.1:70000/cb'],
    ['a fragment', 'http://127.0.0.1/cb', 'http://127.0.0.1:5000/cb#x'],
    ['127.0.0.2', 'http://127.0.0.1/cb', 'http://127.0.0.2:5000/cb'],
  ])('%s does not match (registered %s, requested %s)', (_name, registered, requested) => {
    expect(redirectUriMatches(requested, registered)).toBe(false)
  })

  it('R8252-06: the port exception is for http loopback only', () => {
    expect(redirectUriMatches('https://c.example:8443/cb', 'https://c.example/cb')).toBe(false)
    expect(redirectUriMatches('https://localhost:8443/cb', 'https://localhost/cb')).toBe(false)
    expect(redirectUriMatches('http://app.example:8080/cb', 'http://app.example/cb')).toBe(false)
  })
})

describe('findRegisteredRedirectUri', () => {
  it('returns the registered URI that matches, or null', () => {
    const registered = ['https://c.example/cb', 'http://127.0.0.1/cb']
    expect(findRegisteredRedirectUri('http://127.0.0.1:4000/cb', registered)).toBe(
      'http://127.0.0.1/cb',
    )
    expect(findRegisteredRedirectUri('https://c.example/cb', registered)).toBe(
      'https://c.example/cb',
    )
    expect(findRegisteredRedirectUri('https://c.example/other', registered)).toBeNull()
    expect(findRegisteredRedirectUri('https://c.example/cb', [])).toBeNull()
  })
})
