import type { IpAddress } from '../address/ip-address.js'
import { inPrefix, ipv4MappedAddress, parseIpAddress } from '../address/ip-address.js'
import type { SpecialUseRange } from './special-use-addresses.js'
import { specialUseHost } from './special-use-addresses.js'

/**
 * `outboundFetch.allowPrivateAddresses`, parsed once at start-up: the operator's explicit opt-in
 * that lets a server-side fetch (jwks_uri, a trusted issuer's jwksUri) reach special-use
 * addresses, for internal deployments and tests. It weakens SSRF protection by exactly what it
 * lists, so an entry is a host name compared exactly (no wildcards: `*.example.com` is refused),
 * or one IPv4/IPv6 range in CIDR notation; a bare address is a range of one (/32, /128).
 */
export interface AddressAllowList {
  /** `true` was configured: every special-use address is allowed. */
  readonly all: boolean
  /** Host names, lowercase (RFC 4343 §2: DNS names compare case-insensitively). */
  readonly hosts: ReadonlySet<string>
  readonly ranges: readonly AddressRange[]
  /** The entries as configured, for the start-up warning. */
  readonly entries: readonly string[]
}

export interface AddressRange {
  readonly prefix: IpAddress
  /** Prefix length in bits: 0-32 for IPv4, 0-128 for IPv6. */
  readonly length: number
}

/** The default: nothing special-use is reachable. */
export const NO_PRIVATE_ADDRESSES: AddressAllowList = Object.freeze({
  all: false,
  hosts: new Set<string>(),
  ranges: Object.freeze([]),
  entries: Object.freeze([]),
})

// RFC 1123 §2.1 labels (letters, digits, inner hyphens, 1-63 characters), RFC 1035 §2.3.4 at
// most 253 characters in all. The last label must not be all digits (RFC 3696 §2), so that a
// mistyped address such as 10.0.0 is not taken for a name.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const MAX_HOST_NAME = 253

function isHostName(text: string): boolean {
  if (text.length === 0 || text.length > MAX_HOST_NAME) return false
  const labels = text.split('.')
  if (!labels.every((label) => LABEL.test(label))) return false
  return !/^\d+$/.test(labels[labels.length - 1] ?? '')
}

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (a range of one); null when it is neither. */
export function parseAddressRange(text: string): AddressRange | null {
  const slash = text.indexOf('/')
  const addressText = slash === -1 ? text : text.slice(0, slash)
  // A zone (fe80::1%eth0) or brackets belong in URLs, not in a range.
  if (addressText.includes('%') || addressText.startsWith('[')) return null
  const prefix = parseIpAddress(addressText)
  if (prefix === null) return null
  const bits = prefix.bytes.length * 8
  if (slash === -1) return { prefix, length: bits }
  const lengthText = text.slice(slash + 1)
  // Decimal without leading zeros, as RFC 4632 §3.1 and RFC 4291 §2.3 write it.
  if (!/^(?:0|[1-9]\d{0,2})$/.test(lengthText)) return null
  const length = Number(lengthText)
  if (length > bits) return null
  // 10.1.0.0/8 has bits set past its prefix: most likely a typo for 10.1.0.0/16, so refused
  // rather than silently widened to 10.0.0.0/8.
  for (let bit = length; bit < bits; bit += 1) {
    if (((prefix.bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) return null
  }
  return { prefix, length }
}

/**
 * Parses the configured value; throws TypeError naming `outboundFetch.allowPrivateAddresses[i]`
 * for an entry that is neither a host name nor an address range.
 */
export function parseAddressAllowList(value: boolean | readonly string[]): AddressAllowList {
  if (value === false) return NO_PRIVATE_ADDRESSES
  if (value === true) return Object.freeze({ ...NO_PRIVATE_ADDRESSES, all: true })
  const hosts = new Set<string>()
  const ranges: AddressRange[] = []
  value.forEach((entry, index) => {
    const problem = addressAllowListEntryProblem(entry)
    if (problem !== null) {
      throw new TypeError(`outboundFetch.allowPrivateAddresses[${index}]: ${problem}`)
    }
    const range = parseAddressRange(entry)
    if (range === null) hosts.add(entry.toLowerCase())
    else ranges.push(range)
  })
  return Object.freeze({
    all: false,
    hosts,
    ranges: Object.freeze(ranges),
    entries: Object.freeze([...value]),
  })
}

/** Why `entry` cannot be an allow-list entry, or null when it can. */
export function addressAllowListEntryProblem(entry: string): string | null {
  if (parseAddressRange(entry) !== null) return null
  if (entry.includes('/') || parseIpAddress(entry) !== null || entry.includes(':')) {
    return `${quoteEntry(entry)} is not a valid IPv4 or IPv6 CIDR range (RFC 4632 §3.1, RFC 4291 §2.3), or has bits set after its prefix length`
  }
  if (isHostName(entry.toLowerCase())) return null
  return `${quoteEntry(entry)} is neither a host name (RFC 1123 §2.1; no wildcards) nor an IPv4 or IPv6 CIDR range`
}

function quoteEntry(entry: string): string {
  return `'${entry}'`
}

/** The URL's host name is listed (compared case-insensitively and exactly). */
export function allowsHost(list: AddressAllowList, hostname: string): boolean {
  return list.all || list.hosts.has(hostname.toLowerCase())
}

/**
 * The address falls in a listed range. An IPv4-mapped address (::ffff:10.0.0.1, RFC 4291
 * §2.5.5.2) reaches the IPv4 host it embeds, so it is also matched against the IPv4 ranges.
 */
export function allowsAddress(list: AddressAllowList, address: IpAddress): boolean {
  if (list.all) return true
  const mapped = ipv4MappedAddress(address)
  return list.ranges.some(
    (range) =>
      inPrefix(address, range.prefix, range.length) ||
      (mapped !== null && inPrefix(mapped, range.prefix, range.length)),
  )
}

/** The allow-list as configured, for the start-up warning. */
export function describeAddressAllowList(list: AddressAllowList): string {
  return list.all ? 'every special-use address' : list.entries.join(', ')
}

/**
 * The early check (registration, configuration) of a URL whose host is an IP literal: its
 * special-use range unless the allow-list admits the address; null for a public literal, an
 * allowed one, or a host name (checked when fetched, once resolved).
 */
export function refusedSpecialUseHost(url: URL, list: AddressAllowList): SpecialUseRange | null {
  const range = specialUseHost(url)
  if (range === null) return null
  const address = parseIpAddress(url.hostname)
  return address !== null && allowsAddress(list, address) ? null : range
}
