/**
 * RFC 8252 §7.3 and registrar's docs/decisions.md A15: `127.0.0.1`, `[::1]` and `localhost` are loopback.
 * http is allowed there without TLS because the traffic never leaves the machine, and at
 * authorization time such a redirect matches on any port, since native and CLI apps listen on
 * whatever port the OS gives them. `URL.hostname` keeps the brackets of an IPv6 literal.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost'])

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase())
}

export function isLoopbackRedirect(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHost(url.hostname)
}
