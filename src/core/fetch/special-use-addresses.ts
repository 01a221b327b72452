/**
 * The addresses a server-side fetch must never reach: everything that is not a public unicast
 * address on the Internet (the IANA IPv4 and IPv6 Special-Purpose Address Registries, RFC 6890,
 * plus the cloud metadata services). A client chooses its jwks_uri, so a fetch that reached one
 * of these would let anyone probe or call the server's own network (blind SSRF). Pure logic:
 * src/net/safe-fetch.ts applies it to every resolved address, registration to IP literals.
 */

import type { IpAddress } from '../address/ip-address.js'
import { inPrefix, parseIpAddress } from '../address/ip-address.js'

export interface SpecialUseRange {
  /** The range, as `address/prefix`. */
  readonly cidr: string
  /** What the range is, in words that fit "… is a <name> address". */
  readonly name: string
  /** Where the range is defined. */
  readonly reference: string
}

interface Range extends SpecialUseRange {
  readonly prefix: IpAddress
  readonly length: number
}

function range(cidr: string, name: string, reference: string): Range {
  const [address = '', length = ''] = cidr.split('/')
  const prefix = parseIpAddress(address)
  if (prefix === null) throw new TypeError(`bad range ${cidr}`)
  return { cidr, name, reference, prefix, length: Number(length) }
}

// Most specific first: the first match names the address. Metadata services come before the
// ranges holding them so that the refusal says what the address really is.
const IPV4_RANGES: readonly Range[] = [
  range('169.254.169.254/32', 'cloud metadata service', 'AWS, Azure, GCP instance metadata'),
  range('100.100.100.200/32', 'cloud metadata service', 'Alibaba Cloud instance metadata'),
  range('192.0.0.192/32', 'cloud metadata service', 'Oracle Cloud instance metadata'),
  range('255.255.255.255/32', 'limited broadcast', 'RFC 919 §7, RFC 8190'),
  range('0.0.0.0/8', 'unspecified (this network)', 'RFC 791 §3.2, RFC 1122 §3.2.1.3'),
  range('10.0.0.0/8', 'private', 'RFC 1918 §3'),
  range('100.64.0.0/10', 'shared (carrier-grade NAT)', 'RFC 6598'),
  range('127.0.0.0/8', 'loopback', 'RFC 1122 §3.2.1.3'),
  range('169.254.0.0/16', 'link-local', 'RFC 3927'),
  range('172.16.0.0/12', 'private', 'RFC 1918 §3'),
  range('192.0.0.0/24', 'IETF protocol assignment', 'RFC 6890 §2.2.2'),
  range('192.0.2.0/24', 'documentation (TEST-NET-1)', 'RFC 5737'),
  range('192.88.99.0/24', 'deprecated 6to4 relay anycast', 'RFC 7526'),
  range('192.168.0.0/16', 'private', 'RFC 1918 §3'),
  range('198.18.0.0/15', 'benchmarking', 'RFC 2544 §C.2.2'),
  range('198.51.100.0/24', 'documentation (TEST-NET-2)', 'RFC 5737'),
  range('203.0.113.0/24', 'documentation (TEST-NET-3)', 'RFC 5737'),
  range('224.0.0.0/4', 'multicast', 'RFC 5771'),
  range('240.0.0.0/4', 'reserved', 'RFC 1112 §4'),
]

// Single addresses that ::/96 and fc00::/7 hold: named before the ranges and embedding forms.
const IPV6_ADDRESSES: readonly Range[] = [
  range('fd00:ec2::254/128', 'cloud metadata service', 'AWS instance metadata'),
  range('::/128', 'unspecified', 'RFC 4291 §2.5.2'),
  range('::1/128', 'loopback', 'RFC 4291 §2.5.3'),
]

const IPV6_RANGES: readonly Range[] = [
  range('::/96', 'deprecated IPv4-compatible', 'RFC 4291 §2.5.5.1'),
  range('::ffff:0:0:0/96', 'IPv4-translated', 'RFC 2765 §2.1'),
  range('64:ff9b:1::/48', 'local-use NAT64', 'RFC 8215'),
  range('100::/64', 'discard-only', 'RFC 6666'),
  range('100:0:0:1::/64', 'dummy prefix', 'RFC 9780'),
  range('2001:2::/48', 'benchmarking', 'RFC 5180'),
  range('2001:10::/28', 'ORCHID', 'RFC 4843'),
  range('2001:20::/28', 'ORCHIDv2', 'RFC 7343'),
  range('2001::/23', 'IETF protocol assignment', 'RFC 2928'),
  range('2001:db8::/32', 'documentation', 'RFC 3849'),
  range('3fff::/20', 'documentation', 'RFC 9637'),
  range('5f00::/16', 'segment routing (SRv6 SID)', 'RFC 9602'),
  range('fc00::/7', 'unique local', 'RFC 4193'),
  range('fe80::/10', 'link-local', 'RFC 4291 §2.5.6'),
  range('fec0::/10', 'deprecated site-local', 'RFC 3879'),
  range('ff00::/8', 'multicast', 'RFC 4291 §2.7'),
]

/** RFC 4291 §2.4: global unicast is 2000::/3; everything else is reserved or special. */
const GLOBAL_UNICAST = range('2000::/3', 'global unicast', 'RFC 4291 §2.4')
const NOT_GLOBAL_UNICAST: SpecialUseRange = {
  cidr: '::/0 outside 2000::/3',
  name: 'reserved (not global unicast)',
  reference: 'RFC 4291 §2.4',
}

/**
 * IPv6 forms that carry an IPv4 address a packet ends up at: the address is as reachable as the
 * IPv4 one it embeds, so it is refused exactly when that one is. `embedded` picks the IPv4
 * address out of the 16 bytes; Teredo (RFC 4380 §4) carries two, the client's one inverted.
 */
const EMBEDDING: readonly {
  readonly range: Range
  readonly embedded: (bytes: readonly number[]) => readonly (readonly number[])[]
}[] = [
  {
    range: range('::ffff:0:0/96', 'IPv4-mapped', 'RFC 4291 §2.5.5.2'),
    embedded: (bytes) => [bytes.slice(12, 16)],
  },
  {
    range: range('64:ff9b::/96', 'NAT64', 'RFC 6052 §2.1'),
    embedded: (bytes) => [bytes.slice(12, 16)],
  },
  {
    range: range('2002::/16', '6to4', 'RFC 3056 §2'),
    embedded: (bytes) => [bytes.slice(2, 6)],
  },
  {
    range: range('2001::/32', 'Teredo', 'RFC 4380 §4'),
    embedded: (bytes) => [bytes.slice(4, 8), bytes.slice(12, 16).map((byte) => byte ^ 0xff)],
  },
]

function inRange(address: IpAddress, candidate: Range): boolean {
  return inPrefix(address, candidate.prefix, candidate.length)
}

/**
 * The special-use range `address` is in, or null for a public unicast address: the only kind a
 * server-side fetch may connect to.
 */
export function specialUseRange(address: IpAddress): SpecialUseRange | null {
  if (address.version === 4) return IPV4_RANGES.find((known) => inRange(address, known)) ?? null
  const exact = IPV6_ADDRESSES.find((known) => inRange(address, known))
  if (exact !== undefined) return exact
  for (const form of EMBEDDING) {
    if (!inRange(address, form.range)) continue
    for (const bytes of form.embedded(address.bytes)) {
      const inner = specialUseRange({ version: 4, bytes })
      if (inner !== null) {
        return {
          cidr: form.range.cidr,
          name: `${form.range.name} ${inner.name}`,
          reference: `${form.range.reference}; ${inner.reference}`,
        }
      }
    }
    return null
  }
  const known = IPV6_RANGES.find((candidate) => inRange(address, candidate))
  if (known !== undefined) return known
  return inRange(address, GLOBAL_UNICAST) ? null : NOT_GLOBAL_UNICAST
}

/**
 * The special-use range of a URL's host when that host is an IP literal; null for a public
 * literal or a host name. Only a cheap early check (registration, configuration): a name can
 * resolve to anything, so the fetch itself checks every resolved address again.
 */
export function specialUseHost(url: URL): SpecialUseRange | null {
  const address = parseIpAddress(url.hostname)
  return address === null ? null : specialUseRange(address)
}
