/**
 * Compares the redirect_uri of an authorization request with one the client registered.
 *
 * RFC 9700 §2.1 and §4.1.3, OAuth 2.1 §2.3.2: simple string comparison, code point by code point,
 * with no normalisation of case, percent-encoding, dot segments or trailing slashes, since every
 * "harmless" normalisation has been an open redirector somewhere (R9700-01).
 *
 * The one exception is RFC 8252 §7.3 (docs/decisions.md A15): a registered loopback URI over http
 * (127.0.0.1, [::1], localhost) matches on any port, because a native or CLI app listens on
 * whatever port the operating system hands it. Scheme, host, path and query still match
 * exactly, and the host must be the same literal: 127.0.0.1 does not stand in for localhost.
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true
  const want = splitLoopback(registered)
  const got = splitLoopback(requested)
  if (want === null || got === null) return false
  return want.host === got.host && want.rest === got.rest
}

/** The registered URI the request names, or null when none matches. */
export function findRegisteredRedirectUri(
  requested: string,
  registered: readonly string[],
): string | null {
  return registered.find((uri) => redirectUriMatches(requested, uri)) ?? null
}

// `http://` + loopback host + optional port + the rest (path and query), read from the raw
// string so that nothing is normalised. The scheme is lower case as registration stores it; a
// port is 1-5 digits (an empty `:` is not a port), and userinfo can never appear before the
// host, so `http://127.0.0.1@evil.example/` does not qualify.
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?([/?].*)?$/s

function splitLoopback(uri: string): { readonly host: string; readonly rest: string } | null {
  const match = LOOPBACK.exec(uri)
  if (match === null) return null
  const [, host = '', port, rest = ''] = match
  if (port !== undefined && Number(port) > 65535) return null
  return { host, rest }
}
