import { invalidRedirectUri, quote } from '../../errors.js'
import { DANGEROUS_SCHEMES } from './dangerous-schemes.js'
import { isHandledScheme } from './handled-schemes.js'
import { isLoopbackHost, isLoopbackRedirect } from './is-loopback-redirect.js'
import { parseAbsoluteUri } from './parse-absolute-uri.js'

export interface RedirectUriRules {
  readonly applicationType: 'web' | 'native'
  /** token_endpoint_auth_method `none`: the client holds no secret. */
  readonly publicClient: boolean
  /** The client registers the implicit grant, whose tokens travel in the redirect itself. */
  readonly implicit: boolean
  readonly requireHttps: boolean
  /** null: any host; otherwise exact host names, or `*.example.com` for its subdomains. */
  readonly allowedHosts: readonly string[] | null
  readonly requireReverseDomainSchemes: boolean
}

/** Checks one redirect URI at registration; throws `invalid_redirect_uri` saying what to fix. */
export function validateRedirectUri(raw: string, field: string, rules: RedirectUriRules): void {
  const url = parseAbsoluteUri(raw, field, invalidRedirectUri)

  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment component.
  // Test the raw string: new URL('https://a.example/cb#').hash is '' (an empty fragment).
  if (raw.includes('#'))
    throw invalidRedirectUri(`${field} must not contain a fragment: ${quote(raw)}`)

  // RFC 9700 §2.6: never a scheme that runs or embeds content in the browser.
  if (DANGEROUS_SCHEMES.has(url.protocol)) {
    throw invalidRedirectUri(`${field} must not use the ${url.protocol} scheme: ${quote(raw)}`)
  }

  if (url.username !== '' || url.password !== '') {
    throw invalidRedirectUri(`${field} must not contain user credentials: ${quote(raw)}`)
  }

  if (url.protocol === 'http:' || url.protocol === 'https:') {
    checkWebRedirect(url, raw, field, rules)
    return
  }
  checkPrivateUseScheme(url, raw, field, rules)
}

function checkWebRedirect(url: URL, raw: string, field: string, rules: RedirectUriRules): void {
  const loopback = isLoopbackRedirect(url)
  // OpenID Connect Registration §2: a web client using the implicit grant MUST use https and
  // MUST NOT use localhost, because the token itself lands at that address.
  if (rules.implicit && rules.applicationType === 'web') {
    if (url.protocol !== 'https:' || isLoopbackHost(url.hostname)) {
      throw invalidRedirectUri(
        `${field} must be an https URI on a host other than localhost for a web client using the implicit grant: ${quote(raw)}`,
      )
    }
  }
  // RFC 9700 §2.6 and OAuth 2.1 §2.3.1: http only for loopback (RFC 8252 §7.3).
  if (url.protocol === 'http:' && !loopback && rules.requireHttps) {
    throw invalidRedirectUri(
      `${field} must use https (http is allowed only for loopback: 127.0.0.1, [::1] or localhost): ${quote(raw)}`,
    )
  }
  if (rules.allowedHosts !== null && !loopback && !hostAllowed(url.hostname, rules.allowedHosts)) {
    throw invalidRedirectUri(`${field} host ${quote(url.hostname)} is not allowed on this server`)
  }
}

function checkPrivateUseScheme(
  url: URL,
  raw: string,
  field: string,
  rules: RedirectUriRules,
): void {
  // RFC 8252 §7.1 and docs/decisions.md A42: a private-use scheme is the app's own, a
  // reverse-domain name or a word no standard assigns. One the browser or the OS handles itself
  // (view-source:, ws:, mailto:, ms-settings:) would hand the code to that handler instead.
  const scheme = url.protocol.slice(0, -1)
  if (isHandledScheme(scheme)) {
    throw invalidRedirectUri(
      `${field} uses ${quote(scheme)}, a scheme the browser or the operating system handles itself (IANA URI Schemes registry), not a private-use scheme: use a reverse-domain name such as com.example.app or a word no standard assigns (RFC 8252 §7.1): ${quote(raw)}`,
    )
  }
  // RFC 8252 §7.1: private-use schemes belong to native apps. A confidential web client has no
  // business registering one, and a scheme can be claimed by any app on the device, so only
  // native or public clients (which cannot rely on a secret anyway) may use them.
  if (rules.applicationType !== 'native' && !rules.publicClient) {
    throw invalidRedirectUri(
      `${field} uses the private-use scheme ${quote(scheme)}, allowed only for native clients (application_type 'native') or public clients (token_endpoint_auth_method 'none'): ${quote(raw)}`,
    )
  }
  // RFC 8252 §7.1 recommends reverse-domain schemes (com.example.app:/cb). Single-word schemes
  // such as cursor:// are used by real MCP clients, so the form is enforced only on request.
  if (rules.requireReverseDomainSchemes && !scheme.includes('.')) {
    throw invalidRedirectUri(
      `${field} must use a reverse-domain private-use scheme such as com.example.app:/callback (RFC 8252 §7.1): ${quote(raw)}`,
    )
  }
}

function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.toLowerCase()
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase()
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern
  })
}
