import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '../../src/core/crypto/hash-secret.js'
import { timeKeyedDigest } from '../../src/core/crypto/time-keyed-token.js'
import { addUser } from '../../src/core/users/add-user.js'
import type { PageResult } from '../support/browser.js'
import {
  authorizeUrl,
  Browser,
  formAction,
  hiddenInputs,
  insertClient,
  pkcePair,
  redirectParams,
} from '../support/browser.js'
import { clientIdOf, nowSeconds, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const PASSWORD = 'correct horse battery staple'
const WEB_URI = 'https://client.example/callback'
const SESSION = 'registrar-session'
const CSRF = 'registrar-csrf'

/**
 * The whole browser side of the code flow through a real server: sign-in, consent, the code and
 * what it is bound to, remembered consent, trusted clients, prompt, CSRF and sign-out. One user,
 * whose password is hashed once.
 */
describe('authorization code flow in the browser (standalone users)', () => {
  let server: TestServer
  let web: string
  let userId: string

  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false },
      authorization: { scopeDescriptions: { read: 'Read your files' } },
    })
    userId = (await addUser(server.store, 'alice', PASSWORD, nowSeconds())).id
    web = clientIdOf(
      await postJson(server.url, {
        redirect_uris: [WEB_URI],
        client_name: '<script>alert("pwned")</script>',
        logo_uri: 'https://client.example/logo.png',
        client_uri: 'https://client.example/',
        scope: 'read write',
      }),
    )
  })
  afterAll(async () => {
    await server.close()
  })

  /** Posts the login form of `page` with the given credentials. */
  function submitLogin(browser: Browser, page: PageResult, username: string, password: string) {
    return browser.post(formAction(page.text) ?? '', {
      ...hiddenInputs(page.text),
      username,
      password,
    })
  }

  /** Posts the consent form of `page` with a decision. */
  function decide(browser: Browser, page: PageResult, decision: 'allow' | 'deny') {
    return browser.post(formAction(page.text) ?? '', { ...hiddenInputs(page.text), decision })
  }

  /** Opens `url`, signs in as alice, and returns what /authorize then answers. */
  async function signInThrough(browser: Browser, url: string): Promise<PageResult> {
    const login = await browser.get(url)
    expect(login.status, login.text).toBe(200)
    const signedIn = await submitLogin(browser, login, 'alice', PASSWORD)
    expect(signedIn.status, signedIn.text).toBe(303)
    return browser.get(signedIn.location ?? '')
  }

  /** A browser signed in as alice (through a request of `clientId`, answered with consent). */
  async function signedInBrowser(clientId = web): Promise<Browser> {
    const browser = new Browser(server.url)
    const page = await signInThrough(
      browser,
      authorizeUrl(server.issuer, { client_id: clientId, prompt: 'consent' }),
    )
    expect(page.status).toBe(200)
    return browser
  }

  function codeOf(result: PageResult, redirectUri = WEB_URI): string {
    expect(result.status, result.text).toBeOneOf([302, 303])
    expect(result.location?.startsWith(`${redirectUri}?`)).toBe(true)
    const code = redirectParams(result.location).get('code')
    if (code === null) throw new Error(`no code in ${result.location}`)
    return code
  }

  function isConsentPage(result: PageResult): boolean {
    return result.status === 200 && result.text.includes('name="decision" value="allow"')
  }

  it('the login page: username, password, submit, CSRF token, pre-login cookie, security headers', async () => {
    const browser = new Browser(server.url)
    const page = await browser.get(authorizeUrl(server.issuer, { client_id: web, state: 'st' }))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.text).toMatch(/<input type="text"[^>]* name="username" autocomplete="username"/)
    expect(page.text).toMatch(/<input type="password"[^>]* name="password"/)
    expect(page.text).toContain('<button type="submit">')
    expect(formAction(page.text)).toBe('/login')
    const hidden = hiddenInputs(page.text)
    expect(hidden.csrf_token).toMatch(/^[\w-]{43}$/)
    expect(new URLSearchParams(hidden.authorization_request).get('client_id')).toBe(web)
    expect(browser.cookie(CSRF)).not.toBeNull()
    expect(page.text).not.toContain(browser.cookie(CSRF) ?? '')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("style-src 'unsafe-inline'")
    expect(csp).toContain('img-src https:')
    expect(csp).toContain("form-action 'self' https://client.example;")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(page.headers.get('x-frame-options')).toBe('DENY')
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(page.headers.get('cache-control')).toBe('no-store')
    // No external assets: no script, no stylesheet link.
    expect(page.text).not.toMatch(/<script|<link /)
  })

  it('login → consent → code: the code is bound to client, redirect, PKCE, scope, resources and user', async () => {
    const browser = new Browser(server.url)
    const { challenge } = pkcePair()
    const url = authorizeUrl(
      server.issuer,
      new URLSearchParams([
        ['response_type', 'code'],
        ['client_id', web],
        ['redirect_uri', WEB_URI],
        ['state', 'state-1'],
        ['code_challenge', challenge],
        ['code_challenge_method', 'S256'],
        ['scope', 'read write'],
        ['resource', 'https://MCP.example.com/'],
        ['resource', 'https://api.example.com/v1'],
      ]),
    )
    const login = await browser.get(url)
    const signedIn = await submitLogin(browser, login, 'alice', PASSWORD)
    // R9700-16: never 307 after a credential-bearing POST.
    expect(signedIn.status).toBe(303)
    expect(signedIn.location?.startsWith(`${server.issuer}/authorize?`)).toBe(true)
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`)) ?? ''
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax/)
    expect(cookie).not.toContain('Secure')
    const sessionId = browser.cookie(SESSION) ?? ''
    expect(sessionId).toMatch(/^[\w-]{43}$/)
    // Only the SHA-256 of the id is stored.
    expect(await server.store.findSession(hashSecret(sessionId), nowSeconds())).not.toBeNull()
    expect(await server.store.findSession(sessionId, nowSeconds())).toBeNull()

    const consent = await browser.get(signedIn.location ?? '')
    expect(isConsentPage(consent)).toBe(true)
    expect(consent.text).toContain('name="decision" value="deny"')
    expect(formAction(consent.text)).toBe('/consent')
    expect(consent.text).not.toContain('<script>alert')
    expect(consent.text).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;')
    expect(consent.text).toContain('id="unverified-notice"')
    expect(consent.text).toContain('<img src="https://client.example/logo.png"')
    expect(consent.text).toContain('href="https://client.example/"')
    expect(consent.text).toContain('Read your files')
    expect(consent.text).toMatch(/<li>write<\/li>/)
    expect(consent.text).toContain('<code>https://mcp.example.com</code>')
    expect(consent.text).toContain('<strong id="redirect-host">client.example</strong>')
    expect(consent.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://client.example;",
    )
    expect(consent.headers.get('x-frame-options')).toBe('DENY')

    const allowed = await decide(browser, consent, 'allow')
    expect(allowed.status).toBe(303)
    const params = redirectParams(allowed.location)
    expect(params.get('state')).toBe('state-1')
    expect(params.get('iss')).toBe(server.issuer)
    const code = codeOf(allowed)
    expect(code).toMatch(/^[0-9a-f]{12}[\w-]{43}$/)
    expect(code).not.toContain(challenge)

    const record = await server.store.findAuthorizationCode(timeKeyedDigest(code))
    if (record === null) throw new Error('code not stored')
    expect(record.consumedAt).toBeNull()
    expect(record).toMatchObject({
      clientId: web,
      userId,
      redirectUri: WEB_URI,
      redirectUriInRequest: true,
      scope: 'read write',
      resources: ['https://api.example.com/v1', 'https://mcp.example.com'],
      codeChallenge: challenge,
    })
    expect(record.expiresAt - record.issuedAt).toBe(60)
    expect(record.grantId).toMatch(/^[\w-]{16,}$/)
    expect(await server.store.findConsent(userId, web)).toMatchObject({
      scopes: ['read', 'write'],
      resources: ['https://api.example.com/v1', 'https://mcp.example.com'],
    })
  })

  it('remembered consent: a request within what was granted skips the page; more asks again', async () => {
    const browser = await signedInBrowser()
    await decide(
      browser,
      await browser.get(authorizeUrl(server.issuer, { client_id: web, scope: 'read write' })),
      'allow',
    )
    const again = await browser.get(authorizeUrl(server.issuer, { client_id: web, scope: 'read' }))
    expect(again.status).toBe(302)
    const first = codeOf(again)
    // Each authorization gets its own code and grant.
    expect(codeOf(await browser.get(authorizeUrl(server.issuer, { client_id: web })))).not.toBe(
      first,
    )
    const moreResources = await browser.get(
      authorizeUrl(server.issuer, { client_id: web, resource: 'https://other.example' }),
    )
    expect(isConsentPage(moreResources)).toBe(true)
  })

  it('prompt=consent asks again despite a remembered consent', async () => {
    const browser = await signedInBrowser()
    await decide(
      browser,
      await browser.get(authorizeUrl(server.issuer, { client_id: web })),
      'allow',
    )
    expect(
      isConsentPage(
        await browser.get(authorizeUrl(server.issuer, { client_id: web, prompt: 'consent' })),
      ),
    ).toBe(true)
  })

  it('R8252-11: a public client with a loopback redirect is asked every time', async () => {
    const loopback = 'http://127.0.0.1/callback'
    const cli = clientIdOf(
      await postJson(server.url, {
        redirect_uris: [loopback],
        token_endpoint_auth_method: 'none',
        client_name: 'My CLI',
      }),
    )
    const browser = await signedInBrowser(cli)
    const requested = 'http://127.0.0.1:49152/callback'
    const first = await browser.get(
      authorizeUrl(server.issuer, { client_id: cli, redirect_uri: requested }),
    )
    expect(first.text).toContain('an application running on this device')
    expect(first.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://127.0.0.1:49152;",
    )
    codeOf(await decide(browser, first, 'allow'), requested)
    expect(await server.store.findConsent(userId, cli)).not.toBeNull()
    expect(
      isConsentPage(
        await browser.get(authorizeUrl(server.issuer, { client_id: cli, redirect_uri: requested })),
      ),
    ).toBe(true)
  })

  it('a client an administrator marked trusted skips consent, and shows no unverified notice', async () => {
    const trusted = await insertClient(server.store, { client_name: 'Admin app' })
    expect(await server.store.setClientTrusted(trusted.clientId, true)).toBe(true)
    const browser = await signedInBrowser()
    codeOf(await browser.get(authorizeUrl(server.issuer, { client_id: trusted.clientId })))
    const asked = await browser.get(
      authorizeUrl(server.issuer, { client_id: trusted.clientId, prompt: 'consent' }),
    )
    expect(isConsentPage(asked)).toBe(true)
    expect(asked.text).not.toContain('unverified-notice')
  })

  it('prompt=none with a session: a code when consent is remembered, consent_required when not', async () => {
    const browser = await signedInBrowser()
    await decide(
      browser,
      await browser.get(authorizeUrl(server.issuer, { client_id: web })),
      'allow',
    )
    const silent = await browser.get(
      authorizeUrl(server.issuer, { client_id: web, prompt: 'none', state: 'p' }),
    )
    expect(redirectParams(silent.location).get('state')).toBe('p')
    codeOf(silent)

    const stranger = await insertClient(server.store, {})
    const refused = await browser.get(
      authorizeUrl(server.issuer, { client_id: stranger.clientId, prompt: 'none', state: 'q' }),
    )
    expect(refused.status).toBe(302)
    const params = redirectParams(refused.location)
    expect(params.get('error')).toBe('consent_required')
    expect(params.get('state')).toBe('q')
    expect(params.get('iss')).toBe(server.issuer)
  })

  it('prompt=login asks for the password again and starts a new session', async () => {
    const browser = await signedInBrowser()
    const before = browser.cookie(SESSION) ?? ''
    const login = await browser.get(
      authorizeUrl(server.issuer, { client_id: web, prompt: 'login consent', state: 'l' }),
    )
    expect(login.status).toBe(200)
    expect(login.text).toContain('name="password"')
    const signedIn = await submitLogin(browser, login, 'alice', PASSWORD)
    expect(signedIn.status).toBe(303)
    const resumed = new URL(signedIn.location ?? '').searchParams
    expect(resumed.get('prompt')).toBe('consent')
    expect(resumed.get('state')).toBe('l')
    const after = browser.cookie(SESSION) ?? ''
    expect(after).not.toBe(before)
    expect(await server.store.findSession(hashSecret(before), nowSeconds())).toBeNull()
    expect(isConsentPage(await browser.get(signedIn.location ?? ''))).toBe(true)
  })

  it('deny → access_denied back to the client, with state and iss', async () => {
    const browser = await signedInBrowser()
    const consent = await browser.get(
      authorizeUrl(server.issuer, { client_id: web, prompt: 'consent', state: 'd' }),
    )
    const denied = await decide(browser, consent, 'deny')
    expect(denied.status).toBe(303)
    const params = redirectParams(denied.location)
    expect(params.get('error')).toBe('access_denied')
    expect(params.get('state')).toBe('d')
    expect(params.get('iss')).toBe(server.issuer)
    expect(params.has('code')).toBe(false)
  })

  it('a wrong password or an unknown user → the login page again with an error (401)', async () => {
    const browser = new Browser(server.url)
    const login = await browser.get(authorizeUrl(server.issuer, { client_id: web }))
    for (const [username, password] of [
      ['alice', 'wrong password'],
      ['mallory', PASSWORD],
    ] as const) {
      const failed = await submitLogin(browser, login, username, password)
      expect(failed.status).toBe(401)
      expect(failed.text).toContain('id="login-error"')
      expect(failed.text).toContain(`value="${username}"`)
      expect(browser.cookie(SESSION)).toBeNull()
      // The pending request survives the failure.
      expect(hiddenInputs(failed.text).authorization_request).toBe(
        hiddenInputs(login.text).authorization_request,
      )
    }
  })

  describe('CSRF: every form needs its token and must come from this origin (403 otherwise)', () => {
    it('the login form without a token, with a token of another browser, or cross-site', async () => {
      const browser = new Browser(server.url)
      const login = await browser.get(authorizeUrl(server.issuer, { client_id: web }))
      const fields: Record<string, string> = {
        ...hiddenInputs(login.text),
        username: 'alice',
        password: PASSWORD,
      }
      const { csrf_token: _token, ...withoutToken } = fields
      expect((await browser.post('/login', withoutToken)).status).toBe(403)
      expect(
        (await browser.post('/login', fields, { Origin: 'https://evil.example' })).status,
      ).toBe(403)
      expect(
        (await browser.post('/login', fields, { Origin: null, 'Sec-Fetch-Site': 'cross-site' }))
          .status,
      ).toBe(403)
      const other = new Browser(server.url)
      await other.get(authorizeUrl(server.issuer, { client_id: web }))
      expect((await other.post('/login', fields)).status).toBe(403)
      expect(browser.cookie(SESSION)).toBeNull()
    })

    it('the consent form without a token, with another session’s token, or cross-site', async () => {
      const browser = await signedInBrowser()
      const consent = await browser.get(
        authorizeUrl(server.issuer, { client_id: web, prompt: 'consent' }),
      )
      const fields: Record<string, string> = { ...hiddenInputs(consent.text), decision: 'allow' }
      const { csrf_token: _token, ...withoutToken } = fields
      const noToken = await browser.post('/consent', withoutToken)
      expect({ status: noToken.status, location: noToken.location }).toEqual({
        status: 403,
        location: null,
      })
      expect(
        (await browser.post('/consent', fields, { Origin: 'https://client.example' })).status,
      ).toBe(403)
      // A token is bound to the session it was shown in.
      const other = await signedInBrowser()
      expect((await other.post('/consent', fields)).status).toBe(403)
      // The genuine submission still works.
      codeOf(await browser.post('/consent', fields))
    })
  })

  it('sign-out: GET shows a form, POST with its token ends the session', async () => {
    const browser = await signedInBrowser()
    const id = browser.cookie(SESSION) ?? ''
    const confirm = await browser.get('/logout')
    expect(confirm.status).toBe(200)
    expect(formAction(confirm.text)).toBe('/logout')
    expect(confirm.headers.get('x-frame-options')).toBe('DENY')
    // A GET alone signs nobody out.
    expect(await server.store.findSession(hashSecret(id), nowSeconds())).not.toBeNull()

    expect((await browser.post('/logout', {})).status).toBe(403)
    expect(
      (
        await browser.post('/logout', hiddenInputs(confirm.text), {
          Origin: 'https://evil.example',
        })
      ).status,
    ).toBe(403)
    expect(await server.store.findSession(hashSecret(id), nowSeconds())).not.toBeNull()

    const out = await browser.post('/logout', hiddenInputs(confirm.text))
    expect(out.status).toBe(200)
    expect(browser.cookie(SESSION)).toBeNull()
    expect(await server.store.findSession(hashSecret(id), nowSeconds())).toBeNull()
    const next = await browser.get(authorizeUrl(server.issuer, { client_id: web }))
    expect(next.text).toContain('name="password"')
  })

  it('GET /login on its own: a form when signed out, who is signed in otherwise', async () => {
    const browser = new Browser(server.url)
    const form = await browser.get('/login')
    expect(form.status).toBe(200)
    expect(hiddenInputs(form.text).authorization_request).toBeUndefined()
    const signedIn = await submitLogin(browser, form, 'alice', PASSWORD)
    expect(signedIn.status).toBe(303)
    expect(signedIn.location).toBe(`${server.issuer}/login`)
    const page = await browser.get('/login')
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('name="password"')
    expect(page.text).toContain('alice')
  })

  it('a user deleted while signed in is signed out', async () => {
    const bob = await addUser(server.store, 'bob', PASSWORD, nowSeconds())
    const browser = new Browser(server.url)
    const login = await browser.get(authorizeUrl(server.issuer, { client_id: web }))
    expect((await submitLogin(browser, login, 'bob', PASSWORD)).status).toBe(303)
    expect(await server.store.deleteUser(bob.id)).toBe(true)
    const next = await browser.get(authorizeUrl(server.issuer, { client_id: web }))
    expect(next.text).toContain('name="password"')
  })
})
