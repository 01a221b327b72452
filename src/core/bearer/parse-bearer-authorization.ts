/**
 * RFC 6750 §2.1: `Authorization: Bearer <b64token>`, scheme case-insensitive (RFC 9110 §11.1).
 * Returns the token, `null` when no Bearer credentials were sent (no header, or another
 * scheme), or `malformed` when a Bearer header carries something that cannot be a token.
 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

export function parseBearerAuthorization(header: string | null): string | null | 'malformed' {
  if (header === null || header.trim() === '') return null
  if (!/^bearer(\s|$)/i.test(header)) return null
  const match = BEARER.exec(header)
  return match?.[1] ?? 'malformed'
}
