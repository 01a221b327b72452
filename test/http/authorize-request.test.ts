import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PageResult } from '../support/browser.js'
import {
  authorizeUrl,
  Browser,
  insertClient,
  pkcePair,
  redirectParams,
} from '../support/browser.js'
import { clientIdOf, OAUTH_ERROR_CHARS, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

/**
 * The authorization endpoint's checks that come before anyone signs in: which errors are shown
 * on a page (the redirect URI is not trusted yet) and which go back to the client, with state
 * and iss. Nobody signs in here, so no password is ever hashed. Every client here is let in by
 * the host's authorizeRegistration hook, so it is vouched for and its errors are redirected
 * before sign-in; clients nobody vouched for get a page instead (docs/decisions.md A40,
 * test/http/authorize-unvouched-client.test.ts).
 */
describe('GET /authorize: request checks (RFC 6749 §4.1.2.1, RFC 9700 §2.1, RFC 9207)', () => {
  let server: TestServer
  let browser: Browser
  let web: string
  let native: string
  let twoUris: string
  const WEB_URI = 'https://client.example/callback'

  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, authorizeRegistration: () => true },
    })
    browser = new Browser(server.url)
    web = clientIdOf(
      await postJson(server.url, { redirect_uris: [WEB_URI], client_name: 'Web', scope: 'read' }),
    )
    native = clientIdOf(
      await postJson(server.url, {
        redirect_uris: [
          'http://127.0.0.1/callback',
          'http://[::1]:8080/callback',
          'http://localhost/cb?mode=cli',
        ],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      }),
    )
    twoUris = clientIdOf(
      await postJson(server.url, {
        redirect_uris: [WEB_URI, 'https://client.example/other'],
      }),
    )
  })
  afterAll(async () => {
    await server.close()
  })

  /** A no-redirect error page: 400 HTML, no Location at all. */
  function expectErrorPage(result: PageResult, code: string): void {
    expect({ status: result.status, location: result.location }).toEqual({
      status: 400,
      location: null,
    })
    expect(result.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(result.text).toContain(`<code id="error-code">${code}</code>`)
  }

  /** An error redirect to `redirectUri` with error, state and iss (R6749-12, R9207-01). */
  function expectErrorRedirect(
    result: PageResult,
    redirectUri: string,
    error: string,
    state: string | null = 'st',
  ): URLSearchParams {
    expect(result.status, result.text).toBe(302)
    expect(result.location?.startsWith(`${redirectUri}?`)).toBe(true)
    const params = redirectParams(result.location)
    expect(params.get('error')).toBe(error)
    expect(params.get('state')).toBe(state)
    expect(params.getAll('iss')).toEqual([server.issuer])
    expect(params.get('error_description')).toMatch(OAUTH_ERROR_CHARS)
    expect(params.has('code')).toBe(false)
    return params
  }

  describe('R6749-11 / R9700-02: errors before the redirect URI is trusted → an error page, never a redirect', () => {
    it('an unknown client_id', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: 'no-such-client', redirect_uri: WEB_URI }),
      )
      expectErrorPage(result, 'invalid_client')
      expect(result.text).not.toContain(WEB_URI)
    })

    it('a deleted client', async () => {
      const gone = clientIdOf(await postJson(server.url, { redirect_uris: [WEB_URI] }))
      expect(await server.store.deleteClient(gone)).toBe(true)
      expectErrorPage(
        await browser.get(authorizeUrl(server.issuer, { client_id: gone, redirect_uri: WEB_URI })),
        'invalid_client',
      )
    })

    it('a missing client_id', async () => {
      expectErrorPage(
        await browser.get(authorizeUrl(server.issuer, { redirect_uri: WEB_URI })),
        'invalid_request',
      )
    })

    it('R21-02: no redirect_uri while the client registered two', async () => {
      expectErrorPage(
        await browser.get(authorizeUrl(server.issuer, { client_id: twoUris, state: 'st' })),
        'invalid_request',
      )
    })

    it('an unregistered redirect_uri', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, {
          client_id: web,
          redirect_uri: 'https://attacker.example/cb',
          state: 'st',
        }),
      )
      expectErrorPage(result, 'invalid_request')
      expect(result.text).not.toContain('href="https://attacker.example')
    })

    it.each([
      'https://client.example/callback/',
      'https://client.example/callback?x=1',
      'https://CLIENT.EXAMPLE/callback',
      'https://client.example/CALLBACK',
      'https://client.example/x/../callback',
      'https://client.example:443/callback',
      'http://client.example/callback',
    ])('R9700-01: %s does not exactly match https://client.example/callback', async (uri) => {
      expectErrorPage(
        await browser.get(authorizeUrl(server.issuer, { client_id: web, redirect_uri: uri })),
        'invalid_request',
      )
    })

    it('R8252-05: a loopback redirect with another path → no redirect, whatever the port', async () => {
      expectErrorPage(
        await browser.get(
          authorizeUrl(server.issuer, {
            client_id: native,
            redirect_uri: 'http://127.0.0.1:51004/callback2',
          }),
        ),
        'invalid_request',
      )
      expectErrorPage(
        await browser.get(
          authorizeUrl(server.issuer, {
            client_id: native,
            redirect_uri: 'http://localhost:3000/cb?mode=other',
          }),
        ),
        'invalid_request',
      )
    })

    it.each(['client_id', 'redirect_uri'])('R21-03: %s sent twice → error page', async (name) => {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: web,
        redirect_uri: WEB_URI,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      })
      query.append(name, name === 'client_id' ? web : WEB_URI)
      expectErrorPage(await browser.get(authorizeUrl(server.issuer, query)), 'invalid_request')
    })

    it('the page escapes what it quotes, and carries the page security headers', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: '<script>alert(1)</script>' }),
      )
      expectErrorPage(result, 'invalid_client')
      expect(result.text).not.toContain('<script>')
      expect(result.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(result.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(result.headers.get('x-frame-options')).toBe('DENY')
      expect(result.headers.get('cache-control')).toBe('no-store')
    })
  })

  describe('R8252-05 / A15: a registered loopback redirect matches on any port, for any client', () => {
    it.each([
      'http://127.0.0.1:51004/callback',
      'http://127.0.0.1/callback',
      'http://[::1]:61023/callback',
      'http://[::1]/callback',
      'http://localhost:3000/cb?mode=cli',
    ])('%s is accepted: the login page is shown', async (uri) => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: native, redirect_uri: uri }),
      )
      expect(result.status).toBe(200)
      expect(result.text).toContain('name="password"')
    })

    it('errors then go to the loopback URI as requested, port included', async () => {
      const uri = 'http://127.0.0.1:51004/callback'
      const result = await browser.get(
        authorizeUrl(server.issuer, {
          client_id: native,
          redirect_uri: uri,
          state: 'st',
          scope: 'admin',
        }),
      )
      expectErrorRedirect(result, uri, 'invalid_scope')
    })

    it('R21-02: with a single registered URI, redirect_uri may be left out', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: web, state: 'st', code_challenge: '' }),
      )
      expectErrorRedirect(result, WEB_URI, 'invalid_request')
    })
  })

  describe('R6749-12: errors after the redirect URI is trusted go back to it with state and iss', () => {
    const cases: readonly [string, Readonly<Record<string, string>>, string][] = [
      ['R9700-04: no code_challenge', { code_challenge: '' }, 'invalid_request'],
      ['A19: code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['A19: no code_challenge_method', { code_challenge_method: '' }, 'invalid_request'],
      ['R21-08: code_challenge_method S512', { code_challenge_method: 'S512' }, 'invalid_request'],
      ['R7636-07: a 42-character challenge', { code_challenge: 'a'.repeat(42) }, 'invalid_request'],
      [
        'R7636-07: a challenge with a character outside unreserved',
        { code_challenge: `${'a'.repeat(42)}+` },
        'invalid_request',
      ],
      ['R6749-13: no response_type', { response_type: '' }, 'invalid_request'],
      [
        'R6749-13: an unknown response_type',
        { response_type: 'id_token' },
        'unsupported_response_type',
      ],
      ['RFC 6749 §3.3: a scope outside the registered one', { scope: 'write' }, 'invalid_scope'],
      ['R8707-01: a relative resource', { resource: 'rs.example' }, 'invalid_target'],
      [
        'R8707-01: a resource with a fragment',
        { resource: 'https://rs.example/#x' },
        'invalid_target',
      ],
      ['an unknown prompt value', { prompt: 'bogus' }, 'invalid_request'],
      ['prompt none with login', { prompt: 'none login' }, 'invalid_request'],
    ]
    it.each(cases)('%s → %s', async (_name, change, error) => {
      const result = await browser.get(
        authorizeUrl(server.issuer, {
          client_id: web,
          redirect_uri: WEB_URI,
          state: 'st',
          ...change,
        }),
      )
      expectErrorRedirect(result, WEB_URI, error)
    })

    it('R21-03: a duplicated parameter → invalid_request', async () => {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: web,
        redirect_uri: WEB_URI,
        state: 'st',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        scope: 'read',
      })
      query.append('scope', 'read')
      expectErrorRedirect(
        await browser.get(authorizeUrl(server.issuer, query)),
        WEB_URI,
        'invalid_request',
      )
    })

    it('R9700-08: response_type token while the implicit grant is off (the default) → unsupported_response_type in the fragment', async () => {
      const result = await browser.get(
        `${server.issuer}/authorize?${new URLSearchParams({ response_type: 'token', client_id: web, redirect_uri: WEB_URI, state: 'st' })}`,
      )
      expect(result.status).toBe(302)
      expect(result.location?.startsWith(`${WEB_URI}#`)).toBe(true)
      const params = redirectParams(result.location, 'fragment')
      expect(params.get('error')).toBe('unsupported_response_type')
      expect(params.get('state')).toBe('st')
      expect(params.get('iss')).toBe(server.issuer)
    })

    it('RFC 6749 §4.1.2.1: a client not registered for authorization_code → unauthorized_client', async () => {
      const client = await insertClient(server.store, {
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      })
      expectErrorRedirect(
        await browser.get(authorizeUrl(server.issuer, { client_id: client.clientId, state: 'st' })),
        'https://client.example/callback',
        'unauthorized_client',
      )
    })

    it('R6749-14: state comes back byte for byte, however odd', async () => {
      const state = 'a b+c&d=e%20f/é?#"<>\u{1F600}~'
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: web, state, scope: 'write' }),
      )
      expectErrorRedirect(result, WEB_URI, 'invalid_scope', state)
    })

    it('no state sent → none returned', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: web, scope: 'write' }),
      )
      expectErrorRedirect(result, WEB_URI, 'invalid_scope', null)
    })

    it('OIDC Core §3.1.2.6: prompt=none with nobody signed in → login_required', async () => {
      expectErrorRedirect(
        await browser.get(
          authorizeUrl(server.issuer, { client_id: web, state: 'st', prompt: 'none' }),
        ),
        WEB_URI,
        'login_required',
      )
    })

    it('the redirect itself is not cached and sends no Referer', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: web, state: 'st', scope: 'write' }),
      )
      expect(result.headers.get('cache-control')).toBe('no-store')
      expect(result.headers.get('referrer-policy')).toBe('no-referrer')
    })
  })

  describe('POST /authorize (OAuth 2.1 §3.1): the same request as a form body', () => {
    it('is checked the same way, and answered with 303', async () => {
      const result = await browser.post(
        `${server.issuer}/authorize`,
        {
          response_type: 'code',
          client_id: web,
          state: 'st',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          prompt: 'none',
        },
        { Origin: 'https://client.example' },
      )
      expect(result.status).toBe(303)
      expect(redirectParams(result.location).get('error')).toBe('login_required')
    })

    it('an unknown client is an error page there too', async () => {
      const result = await browser.post(`${server.issuer}/authorize`, { client_id: 'nobody' })
      expectErrorPage(result, 'invalid_client')
    })
  })

  describe('R9700-14 / A37: no CORS at the authorization endpoint', () => {
    it('a request with Origin gets no Access-Control-Allow-Origin', async () => {
      const result = await browser.get(
        authorizeUrl(server.issuer, { client_id: web, state: 'st' }),
        { Origin: 'https://client.example' },
      )
      expect(result.headers.get('access-control-allow-origin')).toBeNull()
    })

    it('a preflight gets no CORS headers either', async () => {
      const response = await fetch(`${server.issuer}/authorize`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://client.example', 'Access-Control-Request-Method': 'GET' },
      })
      await response.arrayBuffer()
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    })
  })
})
