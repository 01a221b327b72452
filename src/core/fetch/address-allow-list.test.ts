import { describe, expect, it } from 'vitest'
import type { IpAddress } from '../address/ip-address.js'
import { parseIpAddress } from '../address/ip-address.js'
import {
  addressAllowListEntryProblem,
  allowsAddress,
  allowsHost,
  NO_PRIVATE_ADDRESSES,
  parseAddressAllowList,
  refusedSpecialUseHost,
} from './address-allow-list.js'

function ip(text: string): IpAddress {
  const address = parseIpAddress(text)
  if (address === null) throw new Error(`bad test address ${text}`)
  return address
}

describe('allowsAddress: a resolved address is admitted when a listed CIDR range holds it', () => {
  it.each([
    // [entries, address, allowed]
    [['10.0.0.0/8'], '10.255.3.4', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['127.0.0.1/32'], '127.0.0.1', true],
    [['127.0.0.1/32'], '127.0.0.2', false],
    [['127.0.0.1'], '127.0.0.1', true],
    [['127.0.0.1'], '127.0.0.2', false],
    [['172.16.0.0/12'], '172.31.255.255', true],
    [['172.16.0.0/12'], '172.32.0.0', false],
    [['0.0.0.0/0'], '169.254.169.254', true],
    [['0.0.0.0/0'], '::1', false],
    [['fd00::/8'], 'fd12:3456::1', true],
    [['fd00::/8'], 'fc00::1', false],
    [['::1/128'], '::1', true],
    [['::1/128'], '::2', false],
    [['::/0'], 'fe80::1', true],
    [['::/0'], '10.0.0.1', false],
    // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d reaches a.b.c.d, so the IPv4 ranges decide for it.
    [['127.0.0.1/32'], '::ffff:127.0.0.1', true],
    [['10.0.0.0/8'], '::ffff:10.1.2.3', true],
    [['10.0.0.0/8'], '::ffff:192.168.0.1', false],
    [['::ffff:0:0/96'], '::ffff:192.168.0.1', true],
    // An IPv4 range does not stretch to other embeddings (NAT64 reaches a translator first).
    [['10.0.0.0/8'], '64:ff9b::a00:1', false],
    [['10.0.0.0/8', 'fd00::/8'], 'fd00::5', true],
    [[], '127.0.0.1', false],
  ] as const)('%j admits %s: %s', (entries, address, allowed) => {
    expect(allowsAddress(parseAddressAllowList(entries), ip(address))).toBe(allowed)
  })

  it('true admits every address; false admits none', () => {
    expect(allowsAddress(parseAddressAllowList(true), ip('169.254.169.254'))).toBe(true)
    expect(allowsAddress(parseAddressAllowList(false), ip('127.0.0.1'))).toBe(false)
    expect(parseAddressAllowList(false)).toBe(NO_PRIVATE_ADDRESSES)
  })
})

describe('allowsHost: a listed host name is compared exactly, in any case (RFC 4343 §2)', () => {
  it.each([
    [['jwks.internal.example'], 'jwks.internal.example', true],
    [['jwks.internal.example'], 'JWKS.Internal.Example', true],
    [['JWKS.internal.example'], 'jwks.internal.example', true],
    [['jwks.internal.example'], 'evil.jwks.internal.example', false],
    [['jwks.internal.example'], 'internal.example', false],
    [['jwks.internal.example'], 'jwks.internal.example.attacker.test', false],
    [['10.0.0.0/8'], 'jwks.internal.example', false],
    [[], 'localhost', false],
  ] as const)('%j admits %s: %s', (entries, hostname, allowed) => {
    expect(allowsHost(parseAddressAllowList(entries), hostname)).toBe(allowed)
  })

  it('true admits every host name', () => {
    expect(allowsHost(parseAddressAllowList(true), 'anything.example')).toBe(true)
  })
})

describe('parseAddressAllowList: an entry is a host name or a valid IPv4/IPv6 CIDR range', () => {
  it.each([
    'jwks.internal.example',
    'localhost',
    'a-b.c1.example',
    '10.0.0.0/8',
    '0.0.0.0/0',
    '127.0.0.1/32',
    '127.0.0.1',
    'fd00::/8',
    '::/0',
    '::1/128',
    '::1',
    '::ffff:0:0/96',
  ])('accepts %s', (entry) => {
    expect(addressAllowListEntryProblem(entry)).toBeNull()
  })

  it.each([
    ['', 'neither a host name'],
    ['*.example.com', 'no wildcards'],
    ['*', 'neither a host name'],
    ['jwks.example.com.', 'neither a host name'],
    ['-bad.example', 'neither a host name'],
    ['under_score.example', 'neither a host name'],
    ['https://jwks.example', 'not a valid IPv4 or IPv6 CIDR'],
    ['10.0.0.0/33', 'not a valid IPv4 or IPv6 CIDR'],
    ['fd00::/129', 'not a valid IPv4 or IPv6 CIDR'],
    ['10.0.0.0/-1', 'not a valid IPv4 or IPv6 CIDR'],
    ['10.0.0.0/08', 'not a valid IPv4 or IPv6 CIDR'],
    ['10.0.0.0/', 'not a valid IPv4 or IPv6 CIDR'],
    ['10.1.0.0/8', 'bits set after its prefix length'],
    ['fd00::1/8', 'bits set after its prefix length'],
    ['256.0.0.0/8', 'not a valid IPv4 or IPv6 CIDR'],
    ['10.0.0', 'neither a host name'],
    ['[::1]', 'not a valid IPv4 or IPv6 CIDR'],
    ['fe80::1%eth0', 'not a valid IPv4 or IPv6 CIDR'],
    ['fd00:::/8', 'not a valid IPv4 or IPv6 CIDR'],
  ])('refuses %j: %s', (entry, problem) => {
    expect(addressAllowListEntryProblem(entry)).toContain(problem)
    expect(() => parseAddressAllowList(['localhost', entry])).toThrow(
      new RegExp(
        `^outboundFetch\\.allowPrivateAddresses\\[1\\]: .*${problem.replace(/[.*]/g, '\\$&')}`,
      ),
    )
  })
})

describe('refusedSpecialUseHost: the early check of an IP literal honours the opt-in', () => {
  it.each([
    // [url, entries, refused range name or null]
    ['https://127.0.0.1/jwks', [], 'loopback'],
    ['https://127.0.0.1/jwks', ['127.0.0.1/32'], null],
    ['https://127.0.0.2/jwks', ['127.0.0.1/32'], 'loopback'],
    ['https://10.1.2.3/jwks', ['10.0.0.0/8'], null],
    ['https://[fd00::1]/jwks', ['fd00::/8'], null],
    ['https://[fd00::1]/jwks', ['10.0.0.0/8'], 'unique local'],
    ['https://[::ffff:10.0.0.1]/jwks', ['10.0.0.0/8'], null],
    // A listed name does not admit a literal: only ranges describe addresses.
    ['https://127.0.0.1/jwks', ['localhost'], 'loopback'],
    ['https://8.8.8.8/jwks', [], null],
    ['https://jwks.internal.example/jwks', [], null],
  ] as const)('%s with %j: %s', (url, entries, refused) => {
    expect(refusedSpecialUseHost(new URL(url), parseAddressAllowList(entries))?.name ?? null).toBe(
      refused,
    )
  })

  it('true admits every literal', () => {
    const all = parseAddressAllowList(true)
    expect(refusedSpecialUseHost(new URL('https://169.254.169.254/'), all)).toBeNull()
  })
})
