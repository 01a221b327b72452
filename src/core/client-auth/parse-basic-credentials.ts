/** Client credentials carried in an `Authorization: Basic` header. */
export interface BasicCredentials {
  readonly clientId: string
  readonly clientSecret: string
}

// RFC 7617 §2: token68 base64 (RFC 4648 §4 alphabet, padding optional in practice).
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** Whether the header uses the Basic scheme at all (RFC 7617 §2: the scheme is case-insensitive). */
export function isBasicAuthorization(header: string | null): header is string {
  return header !== null && /^basic(\s|$)/i.test(header.trimStart())
}

/**
 * RFC 6749 §2.3.1: "the client identifier is encoded using the application/x-www-form-urlencoded
 * encoding algorithm [...] and the encoded value is used as the username; the client password is
 * encoded using the same algorithm and used as the password", then joined by `:` and base64'd
 * (RFC 7617 §2). So an id or secret holding `:`, `+` or `%` arrives as `%3A`, `%2B`, `%25`, and a
 * literal `+` stands for a space. Returns null for anything malformed: not base64, not UTF-8,
 * no `:`, an empty client id, or a broken percent-escape.
 */
export function parseBasicCredentials(header: string): BasicCredentials | null {
  const match = /^basic\s+(\S+)\s*$/i.exec(header.trim())
  const encoded = match?.[1]
  if (encoded === undefined || !BASE64.test(encoded) || encoded.length % 4 === 1) return null
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'))
  } catch {
    return null
  }
  // RFC 7617 §2: user-id and password are split at the first colon; the user-id cannot hold one
  // (it is form-encoded as %3A here), the password may.
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  const clientId = formDecode(decoded.slice(0, colon))
  const clientSecret = formDecode(decoded.slice(colon + 1))
  if (clientId === null || clientSecret === null || clientId === '') return null
  return { clientId, clientSecret }
}

/** WHATWG application/x-www-form-urlencoded decoding of one value, but strict about bad escapes. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return null
  }
}
