import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authorizeUrl, Browser } from '../support/browser.js'
import { clientIdOf, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

/** The page CSP with nothing but the page's own origin allowed as a form target. */
const SELF_ONLY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/**
 * docs/decisions.md A42 (review item d): registration accepts an https redirect URI whose host
 * holds `;` or `'` (RFC 3986 reg-name allows sub-delims, and the URL parser keeps them), and the
 * login page of such a client used to copy that host into its Content-Security-Policy.
 */
describe('CSP3 §2.3.1: a redirect host cannot write into the page Content-Security-Policy', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  it.each([
    'https://a.example;script-src/cb',
    "https://a.example;img-src'unsafe-inline'/cb",
    'https://a.example;report-uri/cb',
  ])(
    'registered %s: the login page CSP has only its own directives, form-action self',
    async (uri) => {
      const registered = await postJson(server.url, { redirect_uris: [uri] })
      expect(registered.status, registered.text).toBe(201)
      const login = await new Browser(server.url).get(
        authorizeUrl(server.issuer, { client_id: clientIdOf(registered), redirect_uri: uri }),
      )
      expect(login.status, login.text).toBe(200)
      expect(login.headers.get('content-security-policy')).toBe(SELF_ONLY)
    },
  )

  it('a well-formed redirect host is still named in form-action', async () => {
    const uri = 'https://client.example/cb'
    const registered = await postJson(server.url, { redirect_uris: [uri] })
    const login = await new Browser(server.url).get(
      authorizeUrl(server.issuer, { client_id: clientIdOf(registered), redirect_uri: uri }),
    )
    expect(login.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://client.example;",
    )
  })
})
