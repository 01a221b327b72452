/**
 * The two cookies of the browser-facing pages, and how they are written (RFC 6265bis).
 *
 * - HttpOnly: no script reads them. SameSite=Lax: sent on the top-level navigation that brings
 *   a user from a client to /authorize, never on a cross-site POST. Path=/.
 * - Over https, Secure and the `__Host-` prefix (RFC 6265bis §4.1.3.2): the browser then refuses
 *   the cookie from plain http or a sibling subdomain, so a neighbour cannot plant ("toss") a
 *   session or a CSRF cookie of its choosing. Plain http is allowed only on loopback issuers
 *   (development), where neither is possible.
 */
export interface CookieNames {
  /** The signed-in session: an opaque 256-bit id whose SHA-256 is what the store keeps. */
  readonly session: string
  /** The pre-login CSRF secret for forms shown before there is a session (double submit). */
  readonly csrf: string
  readonly secure: boolean
}

export function cookieNames(issuer: string): CookieNames {
  const secure = new URL(issuer).protocol === 'https:'
  const prefix = secure ? '__Host-' : ''
  return { session: `${prefix}registrar-session`, csrf: `${prefix}registrar-csrf`, secure }
}

/**
 * The value of one cookie from a Cookie header, or null. With the same name twice (possible
 * without the `__Host-` prefix), the first one wins: browsers send the most specific path first.
 */
export function readCookie(header: string | null, name: string): string | null {
  if (header === null) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim()
      return value === '' ? null : value
    }
  }
  return null
}

/** A Set-Cookie value; `maxAgeSeconds` null makes a cookie that ends with the browser session. */
export function setCookie(
  names: CookieNames,
  name: string,
  value: string,
  maxAgeSeconds: number | null,
): string {
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    ...(names.secure ? ['Secure'] : []),
    ...(maxAgeSeconds === null ? [] : [`Max-Age=${maxAgeSeconds}`]),
  ].join('; ')
}

/** Deletes a cookie (Max-Age=0) with the same attributes it was set with. */
export function clearCookie(names: CookieNames, name: string): string {
  return setCookie(names, name, '', 0)
}
