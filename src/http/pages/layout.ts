/**
 * Every HTML page registrar serves is built here: text is escaped by construction, and every page
 * carries the same security headers.
 *
 * - `html` is a tagged template that HTML-escapes every interpolated value unless it is itself
 *   `html`, so user-supplied text (a client_name of `<script>`, a username, an error quoting a
 *   parameter) can only ever be text.
 * - No external assets: inline CSS only; the one image is a client's https logo_uri.
 */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

type Interpolation =
  | SafeHtml
  | string
  | number
  | null
  | undefined
  | false
  | readonly Interpolation[]

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(out)
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

/** Escapes text for element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * CSP3 §2.3.1 host-part: labels of ALPHA, DIGIT and "-" joined by ".", an optional final ".".
 * The URL parser lets far more through in a host (`https://a.example;script-src/cb` parses, its
 * hostname `a.example;script-src`: RFC 3986 reg-name allows sub-delims such as ; ' * , =), and
 * each of those would end the directive or reshape it in the header.
 */
const CSP_HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?$/

/**
 * The CSP source a form submission's redirect chain may end at, besides 'self'. Chrome and
 * Safari check form-action against every redirect that follows a form POST, not only the action
 * (w3c/webappsec-csp#8), so the login and consent forms, whose answer is a redirect to the
 * client, name that target: the origin of the redirect URI as requested (a loopback port
 * included), or its scheme for a private-use scheme (RFC 8252 §7.1). CSP host sources cannot
 * spell an IPv6 literal, so [::1] widens to `http:`; the page's own forms are all that is
 * allowed to submit anyway (default-src 'none', no script).
 *
 * Only a source built from validated parts reaches the header: an origin whose host is all host
 * characters and that parses back to itself. Anything else is null, left out of form-action,
 * and the browser then refuses the redirect after the form post: a refused sign-in, never an
 * injected directive.
 */
export function formActionSource(redirectUri: string): string | null {
  const url = URL.parse(redirectUri)
  if (url === null) return null
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.hostname.startsWith('[')) return url.protocol
    if (!CSP_HOST.test(url.hostname)) return null
    const source = url.origin
    return URL.parse(source)?.origin === source ? source : null
  }
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : null
}

/** form-action sources for a page whose form ends in a redirect to this URI. */
export function formTargetsFor(redirectUri: string): string[] {
  const source = formActionSource(redirectUri)
  return source === null ? [] : [source]
}

/**
 * Headers of every page (RFC 9700 §4.16 clickjacking; no caching of pages that carry CSRF
 * tokens or personal data; no Referer leaking a URL with a code or state).
 */
export function pageSecurityHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...formTargets].join(' ')
  return {
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  }
}

export interface PageOptions {
  readonly status: number
  readonly title: string
  readonly body: SafeHtml
  /** Extra form-action sources (see formActionSource). */
  readonly formTargets?: readonly string[]
  /** Set-Cookie values. */
  readonly cookies?: readonly string[]
  readonly headers?: Readonly<Record<string, string>>
}

export function htmlPage(options: PageOptions): Response {
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    ...pageSecurityHeaders(options.formTargets),
    ...options.headers,
  })
  for (const cookie of options.cookies ?? []) headers.append('Set-Cookie', cookie)
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
${options.body}
</main>
</body>
</html>
`
  return new Response(document.value, { status: options.status, headers })
}

/**
 * A page rendered by the host (renderLogin, renderConsent): its own body and Content-Security-
 * Policy are the host's business (it may load its own assets), but it still must not be framed
 * (RFC 9700 §4.16) or cached, and it gets registrar's cookies and, when it answered a plain 200,
 * the status the situation calls for (401 after a failed login, 429 when throttled).
 */
export function hostPage(
  response: Response,
  options: { readonly status: number; readonly cookies?: readonly string[] },
): Response {
  const headers = new Headers(response.headers)
  const defaults = pageSecurityHeaders()
  for (const name of [
    'X-Frame-Options',
    'X-Content-Type-Options',
    'Referrer-Policy',
    'Cache-Control',
  ]) {
    const value = defaults[name]
    if (!headers.has(name) && value !== undefined) headers.set(name, value)
  }
  for (const cookie of options.cookies ?? []) headers.append('Set-Cookie', cookie)
  return new Response(response.body, {
    status: response.status === 200 ? options.status : response.status,
    statusText: response.status === 200 ? '' : response.statusText,
    headers,
  })
}

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; display: flex; justify-content: center; }
main { max-width: 28rem; width: 100%; padding: 2rem 1.25rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }
button { font: inherit; padding: .5rem 1.25rem; margin: 1rem .5rem 0 0; cursor: pointer; }
.error, .warning { border-left: 4px solid #c62828; padding: .5rem .75rem; background: rgba(198, 40, 40, .08); }
.warning { border-color: #ef6c00; background: rgba(239, 108, 0, .08); }
.client { display: flex; gap: .75rem; align-items: center; }
.client img { width: 48px; height: 48px; object-fit: contain; }
.muted { opacity: .75; font-size: .9rem; }
code { font-size: .85em; }
`
