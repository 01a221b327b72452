import { toErrorDescription } from '../../errors.js'
import type { ResponseMode } from './parse-authorization-request.js'

/**
 * Builds the URI an authorization response (success or error) redirects to.
 *
 * - RFC 9207 §2 (docs/decisions.md A36): every response carries `iss`, so a client talking to several
 *   servers can tell which one answered (mix-up attacks, RFC 9700 §4.4).
 * - RFC 6749 §4.1.2 and §4.1.2.1: `state` exactly as the client sent it.
 * - RFC 6749 §3.1.2: the query component of the redirect URI is kept, parameters are appended;
 *   the URI itself is used as the client wrote it (it matched code point by code point), so it is
 *   extended as a string, never re-serialised through a URL parser.
 * - Parameters are `application/x-www-form-urlencoded` (RFC 6749 Appendix B), in the query for
 *   the code flow and in the fragment for the implicit grant (§4.2.2).
 */
export function authorizationResponseUri(
  redirectUri: string,
  mode: ResponseMode,
  parameters: Readonly<Record<string, string | null>>,
): string {
  const encoded = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null) encoded.append(name, value)
  }
  const query = encoded.toString()
  const base = asciiOnly(redirectUri)
  if (mode === 'fragment') return `${base}#${query}`
  if (!base.includes('?')) return `${base}?${query}`
  return base.endsWith('?') || base.endsWith('&') ? `${base}${query}` : `${base}&${query}`
}

/** An error response (RFC 6749 §4.1.2.1), with error_description and iss. */
export function authorizationErrorUri(
  redirectUri: string,
  mode: ResponseMode,
  error: { readonly code: string; readonly description: string },
  state: string | null,
  issuer: string,
): string {
  return authorizationResponseUri(redirectUri, mode, {
    error: error.code,
    // RFC 6749 §4.1.2.1: error_description stays within %x20-21 / %x23-5B / %x5D-7E.
    error_description: toErrorDescription(error.description),
    state,
    iss: issuer,
  })
}

/**
 * A Location header holds ASCII. A registered URI may contain other characters (an IRI-like
 * path): those, and only those, are percent-encoded as UTF-8, which is how a browser would have
 * sent them anyway.
 */
function asciiOnly(uri: string): string {
  return uri.replace(/[^\x21-\x7e]/gu, (ch) =>
    // TextEncoder turns a lone surrogate into U+FFFD where encodeURIComponent would throw.
    [...utf8.encode(ch)]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  )
}

const utf8 = new TextEncoder()
