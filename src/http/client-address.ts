/**
 * The client's IP address for rate limiting and provenance. With no trusted proxy the socket
 * address is the truth; behind N proxies that each append to X-Forwarded-For, the N-th entry
 * from the right is the address the first trusted proxy saw. Entries further left are whatever
 * the client chose to send, so they are never used.
 */
export function clientAddress(
  socketAddress: string | null,
  forwardedFor: string | null,
  trustProxyHops: number,
): string | null {
  if (trustProxyHops === 0 || forwardedFor === null) return socketAddress
  const hops = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  return hops[hops.length - trustProxyHops] ?? socketAddress
}
