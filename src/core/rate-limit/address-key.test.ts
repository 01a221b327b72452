import { describe, expect, it } from 'vitest'
import { addressKey } from './address-key.js'

describe('per-address limits count an IPv6 subscriber by prefix (RFC 6177 §3, RFC 8981)', () => {
  it.each([
    // IPv4: as it is.
    ['192.0.2.1', 64, '192.0.2.1'],
    ['203.0.113.255', 48, '203.0.113.255'],
    // IPv4-mapped IPv6 (RFC 4291 §2.5.5.2), dotted or in hex: the IPv4 address.
    ['::ffff:192.0.2.1', 64, '192.0.2.1'],
    ['::FFFF:c000:0201', 64, '192.0.2.1'],
    ['0:0:0:0:0:ffff:198.51.100.7', 64, '198.51.100.7'],
    // IPv6: the /64, in RFC 5952 form, whichever address of it and however it is written.
    ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', 64, '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0000:0000:0000:0001', 64, '2001:db8:1:2::/64'],
    ['2001:db8:1:2::abcd', 64, '2001:db8:1:2::/64'],
    ['2001:db8::1', 64, '2001:db8::/64'],
    ['::1', 64, '::/64'],
    ['::', 64, '::/64'],
    // Other prefix lengths, on and off a group boundary.
    ['2001:db8:1:2:3:4:5:6', 48, '2001:db8:1::/48'],
    ['2001:db8:1:2:3:4:5:6', 128, '2001:db8:1:2:3:4:5:6/128'],
    ['2001:db8:1:2:3:4:5:6', 56, '2001:db8:1::/56'],
    ['2001:db8:1:2ff:3:4:5:6', 56, '2001:db8:1:200::/56'],
    ['2001:db8:ffff:ffff::', 33, '2001:db8:8000::/33'],
    // RFC 5952 §4.2.3: the longest zero run is compressed, the first of equal ones.
    ['1:0:0:2:0:0:0:3', 128, '1:0:0:2::3/128'],
    ['1:0:0:2:0:0:3:4', 128, '1::2:0:0:3:4/128'],
    // §4.2.2: a single zero group is not compressed.
    ['1:2:3:4:5:6:0:8', 128, '1:2:3:4:5:6:0:8/128'],
    // An embedded IPv4 tail in an address that is not mapped.
    ['64:ff9b::192.0.2.1', 128, '64:ff9b::c000:201/128'],
  ])('%s at /%i counts as %s', (address, prefixLength, key) => {
    expect(addressKey(address, prefixLength)).toBe(key)
  })

  it.each([
    'unknown',
    '',
    '192.0.2.1:8080',
    '192.0.2',
    '192.0.2.256',
    '192.0.02.1',
    '[2001:db8::1]',
    'fe80::1%eth0',
    '2001:db8::1::2',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    ':1:2:3:4:5:6:7',
    '::ffff:192.0.2.1.5',
    '::1.2.3',
    'g::1',
  ])('%j is no address, so it counts as it is', (text) => {
    expect(addressKey(text, 64)).toBe(text)
  })

  it('eight addresses of one /64 share one key; the next /64 has its own', () => {
    const keys = new Set(
      Array.from({ length: 8 }, (_, i) => addressKey(`2001:db8:a:b::${i + 1}`, 64)),
    )
    expect([...keys]).toEqual(['2001:db8:a:b::/64'])
    expect(addressKey('2001:db8:a:c::1', 64)).not.toBe('2001:db8:a:b::/64')
  })
})
