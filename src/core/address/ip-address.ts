/**
 * IP addresses as the rest of core reads them: parsed once into bytes, compared by prefix and
 * written back in their canonical text. One parser for every use: the special-use check of a
 * fetch (core/fetch/special-use-addresses.ts), the operator's allow-list of private addresses
 * (core/fetch/address-allow-list.ts) and the key a client address is counted under
 * (core/rate-limit/address-key.ts).
 */
export interface IpAddress {
  readonly version: 4 | 6
  /** 4 or 16 bytes, network order. */
  readonly bytes: readonly number[]
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

/**
 * A bare IPv4 address in dotted decimal or IPv6 address in RFC 4291 §2.2 text form, as a socket
 * reports it; null for anything else (a host name, brackets, a zone index, a port).
 */
export function parseBareIpAddress(text: string): IpAddress | null {
  const ipv4 = parseIpv4(text)
  if (ipv4 !== null) return { version: 4, bytes: ipv4 }
  if (!text.includes(':')) return null
  const ipv6 = parseIpv6(text)
  return ipv6 === null ? null : { version: 6, bytes: ipv6 }
}

/**
 * An IP literal as a URL host or a resolver writes it: a bare address, an IPv6 one possibly in
 * the URL's brackets or with a zone index (RFC 4007 §11: fe80::1%eth0 scopes a link-local
 * address; the address decides what it is). Null for anything else, a host name in particular.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  return parseBareIpAddress(bare.includes(':') ? (bare.split('%')[0] ?? '') : bare)
}

/** `address` shares its first `length` bits with `prefix` (and is of the same IP version). */
export function inPrefix(address: IpAddress, prefix: IpAddress, length: number): boolean {
  if (address.version !== prefix.version) return false
  for (let bit = 0; bit < length; bit += 1) {
    const index = bit >> 3
    const mask = 0x80 >> (bit & 7)
    if (((address.bytes[index] ?? 0) & mask) !== ((prefix.bytes[index] ?? 0) & mask)) {
      return false
    }
  }
  return true
}

const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

/**
 * The IPv4 address an IPv4-mapped IPv6 address (::ffff:0:0/96, RFC 4291 §2.5.5.2) stands for,
 * as a dual-stack socket reports an IPv4 peer; null for any other address.
 */
export function ipv4MappedAddress(address: IpAddress): IpAddress | null {
  if (address.version !== 6) return null
  if (!IPV4_MAPPED_PREFIX.every((byte, index) => address.bytes[index] === byte)) return null
  return { version: 4, bytes: address.bytes.slice(12, 16) }
}

/** The first `length` bits of `address`, the rest zeroed. */
export function maskAddress(address: IpAddress, length: number): IpAddress {
  const bytes = address.bytes.map((byte, index) => {
    const kept = Math.min(8, Math.max(0, length - index * 8))
    return byte & ((0xff << (8 - kept)) & 0xff)
  })
  return { version: address.version, bytes }
}

/**
 * Canonical text: dotted decimal, or RFC 5952 §4 for IPv6 (lowercase, no leading zeros, the
 * longest run of two or more zero groups, the first of equals, written as `::`).
 */
export function formatIpAddress(address: IpAddress): string {
  if (address.version === 4) return address.bytes.join('.')
  const groups: number[] = []
  for (let index = 0; index < 16; index += 2) {
    groups.push(((address.bytes[index] ?? 0) << 8) | (address.bytes[index + 1] ?? 0))
  }
  let bestStart = -1
  let bestLength = 1
  for (let start = 0; start < groups.length; ) {
    let end = start
    while (end < groups.length && groups[end] === 0) end++
    if (end - start > bestLength) {
      bestStart = start
      bestLength = end - start
    }
    start = end === start ? start + 1 : end
  }
  const text = (part: readonly number[]) => part.map((group) => group.toString(16)).join(':')
  if (bestStart === -1) return text(groups)
  return `${text(groups.slice(0, bestStart))}::${text(groups.slice(bestStart + bestLength))}`
}

function parseIpv4(text: string): number[] | null {
  const parts = IPV4.exec(text)?.slice(1)
  if (parts === undefined) return null
  // A leading zero is octal to inet_aton and decimal to others: ambiguous, so not an address.
  if (parts.some((part) => part.length > 1 && part.startsWith('0'))) return null
  const bytes = parts.map(Number)
  return bytes.every((byte) => byte <= 255) ? bytes : null
}

function parseGroups(text: string): number[] | null {
  if (text === '') return []
  const groups = text.split(':')
  if (!groups.every((group) => HEX_GROUP.test(group))) return null
  return groups.map((group) => Number.parseInt(group, 16))
}

function parseIpv6(text: string): number[] | null {
  let rest = text
  // RFC 4291 §2.2 (3): the last 32 bits may be written as an IPv4 address.
  let tail: number[] = []
  const lastColon = rest.lastIndexOf(':')
  if (rest.includes('.')) {
    const ipv4 = parseIpv4(rest.slice(lastColon + 1))
    if (ipv4 === null) return null
    tail = [(ipv4[0] ?? 0) * 256 + (ipv4[1] ?? 0), (ipv4[2] ?? 0) * 256 + (ipv4[3] ?? 0)]
    rest = rest.slice(0, lastColon + 1)
    // `::1.2.3.4` keeps its `::`; `64:ff9b::1.2.3.4` likewise; `1:2:3:4:5:6:1.2.3.4` drops a ':'.
    if (!rest.endsWith('::')) rest = rest.slice(0, -1)
  }
  const halves = rest.split('::')
  let groups: number[]
  if (halves.length === 1) {
    const all = parseGroups(rest)
    if (all === null || all.length + tail.length !== 8) return null
    groups = [...all, ...tail]
  } else if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '')
    const after = parseGroups(halves[1] ?? '')
    if (head === null || after === null) return null
    const missing = 8 - head.length - after.length - tail.length
    // RFC 4291 §2.2 (2): `::` stands for one or more groups of zeros.
    if (missing < 1) return null
    groups = [...head, ...new Array<number>(missing).fill(0), ...after, ...tail]
  } else {
    return null
  }
  return groups.flatMap((group) => [group >> 8, group & 0xff])
}
