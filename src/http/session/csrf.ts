import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * CSRF defence for every form, two layers deep:
 *
 * 1. A token in the form that a cross-site page cannot know. It is derived from a secret the
 *    browser holds only in an HttpOnly cookie: the session id once signed in ("bound to the
 *    session"), or before that a random pre-login cookie (double submit). The derivation is a
 *    SHA-256 with a fixed label, so the page never shows the cookie's value itself, and a token
 *    is worthless without the cookie it came from.
 * 2. An Origin check (see isSameOrigin): browsers send Origin on every POST, so a cross-site
 *    form is refused even if a token leaked.
 */
export function csrfTokenFor(secret: string): string {
  return createHash('sha256').update(`registrar csrf v1\0${secret}`, 'utf8').digest('base64url')
}

/** Whether the token a form carried belongs to this cookie secret; constant time. */
export function verifyCsrfToken(presented: string | null, secret: string | null): boolean {
  if (presented === null || secret === null) return false
  const expected = Buffer.from(csrfTokenFor(secret), 'utf8')
  const actual = Buffer.from(presented, 'utf8')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * Whether a state-changing request comes from the issuer's own pages.
 *
 * - `Origin` naming an origin must name the issuer's.
 * - `Origin: null` is what Chromium sends for a same-origin form POST from a page whose
 *   Referrer-Policy is no-referrer (Fetch §3.1 "serializing a request origin" follows the
 *   referrer policy), as every registrar page's is; it is also what a sandboxed frame or a
 *   cross-site redirect sends. So `null` is accepted only with `Sec-Fetch-Site: same-origin`,
 *   which the browser sets itself and a page cannot forge.
 * - No Origin at all: `Sec-Fetch-Site` must say same-origin (or `none`: the user typed it), or
 *   be absent too. Then the request comes from something that is not a current browser, where
 *   the token alone decides, since CSRF needs a victim's browser.
 */
export function isSameOrigin(request: Request, issuerOrigin: string): boolean {
  const origin = request.headers.get('origin')
  const site = request.headers.get('sec-fetch-site')
  if (origin === 'null') return site === 'same-origin'
  if (origin !== null) return origin === issuerOrigin
  return site === null || site === 'same-origin' || site === 'none'
}
