import { describe, expect, it } from 'vitest'
import { parseIpAddress } from '../address/ip-address.js'
import { specialUseHost, specialUseRange } from './special-use-addresses.js'

function classify(text: string): string | null {
  const address = parseIpAddress(text)
  if (address === null) throw new Error(`${text} does not parse`)
  return specialUseRange(address)?.name ?? null
}

describe('RFC 6890: IPv4 special-use ranges are refused, edge addresses included', () => {
  it.each([
    // [address, range name]: the first and last address of each range.
    ['0.0.0.0', 'unspecified (this network)'],
    ['0.255.255.255', 'unspecified (this network)'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.0', 'shared (carrier-grade NAT)'],
    ['100.127.255.255', 'shared (carrier-grade NAT)'],
    ['127.0.0.0', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['169.254.0.0', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.0', 'IETF protocol assignment'],
    ['192.0.0.255', 'IETF protocol assignment'],
    ['192.0.2.0', 'documentation (TEST-NET-1)'],
    ['192.0.2.255', 'documentation (TEST-NET-1)'],
    ['192.88.99.0', 'deprecated 6to4 relay anycast'],
    ['192.88.99.255', 'deprecated 6to4 relay anycast'],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['198.18.0.0', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.0', 'documentation (TEST-NET-2)'],
    ['198.51.100.255', 'documentation (TEST-NET-2)'],
    ['203.0.113.0', 'documentation (TEST-NET-3)'],
    ['203.0.113.255', 'documentation (TEST-NET-3)'],
    ['224.0.0.0', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.0', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'limited broadcast'],
    ['169.254.169.254', 'cloud metadata service'],
    ['100.100.100.200', 'cloud metadata service'],
    ['192.0.0.192', 'cloud metadata service'],
  ])('%s is %s', (address, name) => {
    expect(classify(address)).toBe(name)
  })
})

describe('public IPv4 addresses, the neighbours of each range included, are allowed', () => {
  it.each([
    '1.0.0.0',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '191.255.255.255',
    '192.0.1.0',
    '192.0.3.0',
    '192.88.98.255',
    '192.88.100.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '198.51.99.255',
    '198.51.101.0',
    '203.0.112.255',
    '203.0.114.0',
    '223.255.255.255',
  ])('%s', (address) => {
    expect(classify(address)).toBeNull()
  })
})

describe('RFC 6890: IPv6 special-use ranges are refused, edge addresses included', () => {
  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::2', 'deprecated IPv4-compatible'],
    ['::ffff:ffff', 'deprecated IPv4-compatible'],
    ['::ffff:0:0:0', 'IPv4-translated'],
    ['64:ff9b:1::', 'local-use NAT64'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'local-use NAT64'],
    ['100::', 'discard-only'],
    ['100::ffff:ffff:ffff:ffff', 'discard-only'],
    ['100:0:0:1::', 'dummy prefix'],
    ['2001:2::', 'benchmarking'],
    ['2001:2:0:ffff:ffff:ffff:ffff:ffff', 'benchmarking'],
    ['2001:10::', 'ORCHID'],
    ['2001:20::1', 'ORCHIDv2'],
    ['2001:1::1', 'IETF protocol assignment'],
    ['2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', 'IETF protocol assignment'],
    ['2001:db8::', 'documentation'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
    ['3fff::', 'documentation'],
    ['3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
    ['5f00::1', 'segment routing (SRv6 SID)'],
    ['fc00::', 'unique local'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique local'],
    ['fe80::', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
    ['fec0::', 'deprecated site-local'],
    ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'deprecated site-local'],
    ['ff00::', 'multicast'],
    ['ff02::1', 'multicast'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast'],
    ['fd00:ec2::254', 'cloud metadata service'],
    // Outside 2000::/3 and not named above: nothing is assigned there (RFC 4291 §2.4).
    ['1::', 'reserved (not global unicast)'],
    ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved (not global unicast)'],
    ['4000::', 'reserved (not global unicast)'],
    ['e000::1', 'reserved (not global unicast)'],
  ])('%s is %s', (address, name) => {
    expect(classify(address)).toBe(name)
  })
})

describe('IPv6 forms that embed an IPv4 address are refused exactly when that address is', () => {
  it.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['0:0:0:0:0:ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped cloud metadata service'],
    ['::ffff:0.0.0.0', 'IPv4-mapped unspecified (this network)'],
    ['::127.0.0.1', 'deprecated IPv4-compatible'],
    ['::8.8.8.8', 'deprecated IPv4-compatible'],
    ['64:ff9b::127.0.0.1', 'NAT64 loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 cloud metadata service'],
    ['64:ff9b::192.168.1.1', 'NAT64 private'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:a00:1:1::1', '6to4 private'],
    ['2002:c0a8:101::', '6to4 private'],
    // Teredo: server 10.0.0.1 (bytes 4-7), client 8.8.8.8 obfuscated (f7f7:f7f7).
    ['2001:0:a00:1::f7f7:f7f7', 'Teredo private'],
    // Teredo: server 8.8.8.8, client 127.0.0.1 obfuscated (80ff:fffe).
    ['2001:0:808:808::80ff:fffe', 'Teredo loopback'],
  ])('%s is %s', (address, name) => {
    expect(classify(address)).toBe(name)
  })

  it.each([
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:0:808:808::f7f7:f7f7',
  ])('%s (a public IPv4 inside) is allowed', (address) => {
    expect(classify(address)).toBeNull()
  })
})

describe('public IPv6 unicast addresses are allowed', () => {
  it.each([
    '2000::',
    '2001:200::',
    '2001:4860:4860::8888',
    '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:db9::',
    '2606:4700::1111',
    '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '3fff:1000::',
    '[2606:4700::1111]',
  ])('%s', (address) => {
    expect(classify(address)).toBeNull()
  })
})

describe('parseIpAddress reads only unambiguous address text', () => {
  it.each([
    ['127.0.0.1', { version: 4, bytes: [127, 0, 0, 1] }],
    ['[::1]', { version: 6, bytes: [...new Array<number>(15).fill(0), 1] }],
    ['::ffff:1.2.3.4', { version: 6, bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4] }],
    ['1:2:3:4:5:6:7:8', { version: 6, bytes: [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8] }],
    [
      '1:2:3:4:5:6:1.2.3.4',
      { version: 6, bytes: [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4] },
    ],
    ['1::8', { version: 6, bytes: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8] }],
  ])('%s', (text, expected) => {
    expect(parseIpAddress(text)).toEqual(expected)
  })

  it.each([
    'localhost',
    'example.com',
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '010.0.0.1',
    '0x7f.0.0.1',
    '2130706433',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '1:2:3:4:5:6:7',
    ':1:2:3:4:5:6:7',
    '12345::',
    'g::1',
    '::ffff:1.2.3',
    '::1.2.3.4:5',
  ])('%j is not an address', (text) => {
    expect(parseIpAddress(text)).toBeNull()
  })
})

describe('specialUseHost: the early check of a URL whose host is an IP literal', () => {
  it.each([
    ['https://127.0.0.1:8443/jwks', 'loopback'],
    ['https://[::1]/jwks', 'loopback'],
    ['https://[::ffff:7f00:1]/jwks', 'IPv4-mapped loopback'],
    ['https://2130706433/jwks', 'loopback'],
    ['https://0x7f.1/jwks', 'loopback'],
    ['https://169.254.169.254/latest', 'cloud metadata service'],
    ['https://10.1.2.3/jwks', 'private'],
  ])('%s is %s (the URL parser has made the literal canonical)', (url, name) => {
    expect(specialUseHost(new URL(url))?.name).toBe(name)
  })

  it.each([
    'https://8.8.8.8/jwks',
    'https://[2606:4700::1111]/jwks',
    'https://localhost/jwks',
    'https://client.example/jwks',
  ])('%s is left to the fetch-time check', (url) => {
    expect(specialUseHost(new URL(url))).toBeNull()
  })
})
