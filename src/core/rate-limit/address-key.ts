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
  const groups = parseIpv6(address)
  // IPv4, and what is no address at all, count as they are.
  if (groups === null) return address
  if (isIpv4Mapped(groups)) return ipv4Text(groups[6] ?? 0, groups[7] ?? 0)
  return `${ipv6Text(maskGroups(groups, prefixLength))}/${prefixLength}`
}

/** Dotted decimal, four parts of 0 to 255 with no leading zeros (RFC 6943 §3.1.1); else null. */
function parseIpv4(text: string): readonly number[] | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const octets: number[] = []
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null
    const octet = Number(part)
    if (octet > 255) return null
    octets.push(octet)
  }
  return octets
}

/**
 * RFC 4291 §2.2 text forms: eight groups of 1 to 4 hex digits, one `::` for a run of one or more
 * zero groups, and the last 32 bits optionally in dotted decimal. The eight 16-bit groups, or
 * null.
 */
function parseIpv6(text: string): readonly number[] | null {
  let hexText = text
  if (text.includes('.')) {
    // Dotted decimal only ever as the last 32 bits: rewritten as two hex groups.
    const cut = text.lastIndexOf(':')
    const v4 = cut === -1 ? null : parseIpv4(text.slice(cut + 1))
    if (v4 === null) return null
    const [a = 0, b = 0, c = 0, d = 0] = v4
    hexText = `${text.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = hexText.split('::')
  if (halves.length > 2) return null
  const head = hexGroups(halves[0] ?? '')
  const tail = halves.length === 2 ? hexGroups(halves[1] ?? '') : []
  if (head === null || tail === null) return null
  const written = head.length + tail.length
  if (halves.length === 1) return written === 8 ? head : null
  if (written > 7) return null
  return [...head, ...Array<number>(8 - written).fill(0), ...tail]
}

/** `a:b:c` as numbers; '' is no groups; null when a group is not 1 to 4 hex digits. */
function hexGroups(text: string): number[] | null {
  if (text === '') return []
  const groups: number[] = []
  for (const part of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null
    groups.push(Number.parseInt(part, 16))
  }
  return groups
}

/** ::ffff:0:0/96. */
function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
}

function ipv4Text(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

/** Keeps the first `prefixLength` bits, zeroes the rest. */
function maskGroups(groups: readonly number[], prefixLength: number): number[] {
  return groups.map((group, index) => {
    const kept = Math.min(16, Math.max(0, prefixLength - index * 16))
    return kept === 0 ? 0 : group & ((0xffff << (16 - kept)) & 0xffff)
  })
}

/**
 * RFC 5952 §4: lowercase, no leading zeros, the longest run of two or more zero groups (the
 * first of equals) as `::`.
 */
function ipv6Text(groups: readonly number[]): string {
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
