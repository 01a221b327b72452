import type { OAuthError } from '../../errors.js'
import { quote } from '../../errors.js'

// RFC 3986 §3.1 scheme, then for http(s) the "//" authority and its host (RFC 9110 §4.2).
const SCHEME = /^[a-z][a-z0-9+.-]*:/i
const WEB_AUTHORITY = /^https?:\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)/i

/**
 * Parses a URI the client registered, refusing relative references and anything the WHATWG
 * parser would silently rewrite. Exact redirect matching compares the registered string, so a
 * string that means something else once parsed (`https:c.example/cb` becomes
 * `https://c.example/cb`, `http://127.1/` becomes `http://127.0.0.1/`) is refused here with the
 * spelling the client should register instead.
 */
export function parseAbsoluteUri(
  raw: string,
  field: string,
  fail: (description: string) => OAuthError,
): URL {
  // Whitespace and C0/DEL controls: the parser drops or trims them, and no URI contains them.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) {
    throw fail(`${field} must not contain whitespace or control characters: ${quote(raw)}`)
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST be an absolute URI.
  const url = URL.parse(raw)
  if (url === null || !SCHEME.test(raw)) {
    throw fail(`${field} must be an absolute URI: ${quote(raw)}`)
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    // RFC 9110 §4.2.1-4.2.2: http(s) URIs are "scheme://authority…" and a recipient MUST reject
    // one whose host is empty.
    const host = WEB_AUTHORITY.exec(raw)?.[1]
    if (host === undefined || host === '') {
      throw fail(`${field} must be of the form ${url.protocol}//host/path: ${quote(raw)}`)
    }
    if (host.toLowerCase() !== url.hostname) {
      throw fail(
        `${field} host must be written as ${quote(url.hostname)}, its canonical form: ${quote(raw)}`,
      )
    }
  }
  return url
}
