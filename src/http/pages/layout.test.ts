import { describe, expect, it } from 'vitest'
import {
  escapeHtml,
  formActionSource,
  formTargetsFor,
  html,
  pageSecurityHeaders,
} from './layout.js'

describe('HTML pages escape what they show', () => {
  it('escapes every interpolated value unless it is html itself', () => {
    const name = `<script>alert("x")</script>&'`
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    )
    expect(html`<div>${html`<b>${'<i>'}</b>`}</div>`.value).toBe('<div><b>&lt;i&gt;</b></div>')
    expect(html`${['<a>', null, false, 1]}`.value).toBe('&lt;a&gt;1')
    expect(escapeHtml('"\'<>&')).toBe('&quot;&#39;&lt;&gt;&amp;')
  })
})

describe('security headers of every page', () => {
  it('R9700-15: forbids framing, sniffing, caching and referrers; CSP allows nothing external', () => {
    const headers = pageSecurityHeaders()
    expect(headers['Content-Security-Policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    expect(headers).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    })
  })

  it.each([
    ['https://c.example/cb?x=1', 'https://c.example'],
    ['http://127.0.0.1:51004/cb', 'http://127.0.0.1:51004'],
    ['http://localhost/cb', 'http://localhost'],
    ['http://[::1]:8080/cb', 'http:'],
    ['com.example.app:/oauth2redirect', 'com.example.app:'],
    ['cursor://anysphere.cursor-retrieval/oauth/callback', 'cursor:'],
    ['https://xn--bcher-kva.example/cb', 'https://xn--bcher-kva.example'],
    ['https://bücher.example/cb', 'https://xn--bcher-kva.example'],
    ['https://c.example./cb', 'https://c.example.'],
  ])('form-action also names the redirect a form submission ends at: %s → %s', (uri, source) => {
    expect(formActionSource(uri)).toBe(source)
    expect(pageSecurityHeaders([source])['Content-Security-Policy']).toContain(
      `form-action 'self' ${source};`,
    )
  })

  // The URL parser accepts these hosts (RFC 3986 reg-name allows sub-delims), and registration
  // accepts them as https redirect URIs; in the header each would end or reshape a directive.
  it.each([
    'https://a.example;script-src/cb',
    'https://a.example;script-src-elem/cb',
    "https://a'unsafe-inline'.example/cb",
    'https://a.example,b.example/cb',
    'https://*.example/cb',
    'https://a=b.example/cb',
    'https://a!b.example/cb',
    'https://a$b.example/cb',
    'https://a(b).example/cb',
    'https://a&b.example/cb',
    'https://a+b.example/cb',
    'https://a_b.example/cb',
    'https://a~b.example/cb',
  ])(
    'CSP3 §2.3.1: a host with characters outside host-char (%s) names no source; form-action stays self',
    (uri) => {
      expect(URL.parse(uri)).not.toBeNull()
      expect(formActionSource(uri)).toBeNull()
      expect(formTargetsFor(uri)).toEqual([])
      const csp = pageSecurityHeaders(formTargetsFor(uri))['Content-Security-Policy']
      expect(csp).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      )
    },
  )
})
