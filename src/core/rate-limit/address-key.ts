import {
  formatIpAddress,
  ipv4MappedAddress,
  maskAddress,
  parseBareIpAddress,
} from '../address/ip-address.js'

/**
 * The key a client address is counted under by every per-address limit (the registration rate
 * limit, the login throttle, the addresses a user has signed in from). An IPv4 address is one
 * subscriber. An IPv6 subscriber gets a whole /64 at least (RFC 6177 §3 recommends /48 to /64
 * per site; RFC 7421 §1: a /64 per link), and picks any of its 2^64 addresses at will (RFC 8981
 * temporary addresses), so counting exact IPv6 addresses would give one person billions of
 * buckets: they are counted by their prefix, `prefixLength` bits (64 by default).
 *
 * - IPv4 (`192.0.2.1`): the address as it is.
 * - IPv4-mapped IPv6 (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2), which a dual-stack socket reports
 *   for an IPv4 client: the IPv4 address, so that both spellings share one bucket.
 * - Other IPv6: the prefix in RFC 5952 form with its length, `2001:db8:1:2::/64`.
 * - Anything else (a zone index, a port, a proxy's garbage): the string as it is, so that it
 *   still has a bucket of its own.
 */
export function addressKey(address: string, prefixLength: number): string {
  const ip = parseBareIpAddress(address)
  // IPv4, and what is no address at all, count as they are.
  if (ip === null || ip.version === 4) return address
  const mapped = ipv4MappedAddress(ip)
  if (mapped !== null) return formatIpAddress(mapped)
  return `${formatIpAddress(maskAddress(ip, prefixLength))}/${prefixLength}`
}
