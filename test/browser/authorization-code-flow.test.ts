import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page, Response as PageResponse } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { hashPassword } from '../../src/core/users/password-hash.js'
import { pkcePair } from '../support/browser.js'
import { launchChromium, skipBrowserSuite } from '../support/chromium.js'
import type { ClientApp } from '../support/client-app.js'
import { startClientApp } from '../support/client-app.js'
import { postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import { basic, postForm } from '../support/token-helpers.js'

/**
 * Issue #4, end to end in a real browser: a dynamically registered client sends the user to
 * /authorize; the user signs in on the built-in page and allows the request on the consent page;
 * the browser lands on the client's loopback redirect URI with code, state and iss (RFC 9207);
 * the client exchanges the code with PKCE (RFC 7636), refreshes with rotation (RFC 9700
 * §4.14.2), revokes (RFC 7009) and checks by introspection (RFC 7662).
 */
const RESOURCE = 'https://api.example.com/v1'
const TIMEOUT = 60_000

describe.skipIf(skipBrowserSuite())('authorization code flow in Chromium (issue #4)', () => {
  let server: TestServer
  let app: ClientApp
  let browser: Browser | null = null
  let context: BrowserContext | null = null
  let artifacts: string
  let failed = false

  const username = `alice-${randomBytes(4).toString('hex')}`
  const password = `correct horse ${randomBytes(8).toString('base64url')}`

  beforeAll(async () => {
    artifacts = await mkdtemp(join(tmpdir(), 'registrar-browser-'))
    server = await startTestServer({ registration: { rateLimit: false } })
    await server.store.createUser({
      id: `user-${randomBytes(8).toString('hex')}`,
      username,
      passwordHash: await hashPassword(password),
      createdAt: Math.floor(Date.now() / 1000),
    })
    app = await startClientApp()
    // In CI a missing Chromium throws here: the suite fails instead of skipping.
    browser = await launchChromium()
    context = await browser.newContext()
  }, TIMEOUT)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await app?.close()
    await server?.close()
    if (failed) console.warn(`browser test artifacts (screenshots) kept in ${artifacts}`)
    else if (artifacts !== undefined) await rm(artifacts, { recursive: true, force: true })
  }, TIMEOUT)

  /** The answer to the next POST to `path` on the issuer, caught as the browser sends it. */
  function nextPost(page: Page, path: string): Promise<PageResponse> {
    return page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        response.url().startsWith(server.issuer) &&
        new URL(response.url()).pathname === path,
    )
  }

  /**
   * What a failing assertion should show: the Origin and Sec-Fetch-Site the browser sent (what
   * the CSRF defence reads), the status, and for anything but a redirect the page's message.
   */
  async function describeAnswer(response: PageResponse): Promise<string> {
    const sent = await response.request().allHeaders()
    const request = `Origin: ${sent.origin ?? '(none)'}, Sec-Fetch-Site: ${sent['sec-fetch-site'] ?? '(none)'}, Cookie names: ${cookieNames(sent.cookie)}`
    const status = response.status()
    if (status >= 300 && status < 400) {
      return `${request} → ${status} ${response.headers().location ?? ''}`
    }
    const body = await response.text().catch(() => '(no body)')
    const detail = /<main>([\s\S]*)<\/main>/.exec(body)?.[1]?.trim() ?? body
    return `${request} → ${status}: ${detail}`
  }

  it(
    'registers, signs in, consents, lands on the client with code, state and iss, then exchanges, refreshes, revokes and introspects',
    async () => {
      onTestFailed(() => {
        failed = true
      })
      if (context === null) throw new Error('no browser context')

      // 1. Dynamic registration (RFC 7591) of a confidential client with a loopback redirect URI.
      const registration = await postJson(server.url, {
        redirect_uris: [app.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        client_name: 'Browser E2E Client',
        scope: 'read write',
      })
      expect(registration.status, registration.text).toBe(201)
      const clientId = registration.json?.client_id
      const clientSecret = registration.json?.client_secret
      if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
        throw new Error(`registration returned no client_id/client_secret: ${registration.text}`)
      }
      const clientAuth = basic(clientId, clientSecret)

      // 2. The authorization request: code, PKCE S256, state, scope, resource (RFC 8707).
      const { verifier, challenge } = pkcePair()
      const state = randomBytes(16).toString('base64url')
      const authorizationUrl = `${server.issuer}/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: app.redirectUri,
        scope: 'read write',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        resource: RESOURCE,
      })}`

      const page = await context.newPage()
      const first = await page.goto(authorizationUrl)
      expect(first?.status(), 'GET /authorize without a session shows the sign-in page').toBe(200)
      expect(new URL(page.url()).pathname).toBe('/authorize')

      // 3. Sign in on the built-in page.
      await page.fill('input[name=username]', username)
      await page.fill('input[name=password]', password)
      const loginAnswer = nextPost(page, '/login')
      await page.click('form button[type=submit]')
      const login = await loginAnswer
      expect(login.status(), `POST /login: ${await describeAnswer(login)}`).toBe(303)
      expect(new URL(login.headers().location ?? '', server.issuer).pathname).toBe('/authorize')

      // 4. The consent page, with the notice that nobody verified this self-registered client.
      const allow = page.locator('button[name=decision][value=allow]')
      await allow.waitFor({ state: 'visible' })
      expect(new URL(page.url()).pathname).toBe('/authorize')
      expect(await page.locator('#client-name').textContent()).toBe('Browser E2E Client')
      const notice = page.locator('#unverified-notice')
      expect(await notice.count()).toBe(1)
      expect(await notice.isVisible()).toBe(true)
      expect(await notice.textContent()).toContain('Unverified application')
      expect(await page.locator('#resources').textContent()).toContain(RESOURCE)
      expect(await page.locator('#redirect-host').textContent()).toBe('127.0.0.1')
      const screenshot = join(artifacts, 'consent.png')
      await page.screenshot({ path: screenshot, fullPage: true })
      expect((await stat(screenshot)).size).toBeGreaterThan(0)

      // 5. Allow: the browser is sent to the client's redirect URI (RFC 6749 §4.1.2, RFC 9207).
      const consentAnswer = nextPost(page, '/consent')
      const callback = app.nextCallback()
      await allow.click()
      const consent = await consentAnswer
      expect(consent.status(), `POST /consent: ${await describeAnswer(consent)}`).toBe(303)
      const received = await callback
      await page.waitForURL((url) => url.href.startsWith(app.redirectUri))
      expect(await page.locator('#done').textContent()).toBe('Authorization received')
      expect(received.get('error'), received.toString()).toBeNull()
      expect(received.getAll('state')).toEqual([state])
      expect(received.getAll('iss')).toEqual([server.issuer])
      const code = received.get('code')
      expect(code).toMatch(/^[A-Za-z0-9_-]{20,}$/)
      expect(app.received).toHaveLength(1)
      await page.close()

      // 6. The code for tokens: form-encoded, code_verifier and redirect_uri (RFC 7636 §4.5).
      const token = `${server.issuer}/token`
      const exchanged = await postForm(
        token,
        {
          grant_type: 'authorization_code',
          code: code ?? '',
          code_verifier: verifier,
          redirect_uri: app.redirectUri,
        },
        clientAuth,
      )
      expect(exchanged.status, exchanged.text).toBe(200)
      expect(exchanged.headers.get('cache-control')).toBe('no-store')
      expect(exchanged.json).toMatchObject({ token_type: 'Bearer', scope: 'read write' })
      const firstAccess = stringField(exchanged.json, 'access_token')
      const firstRefresh = stringField(exchanged.json, 'refresh_token')

      const introspect = async (value: string) => {
        const answer = await postForm(`${server.issuer}/introspect`, { token: value }, clientAuth)
        expect(answer.status, answer.text).toBe(200)
        return answer.json ?? {}
      }
      expect(await introspect(firstAccess)).toMatchObject({
        active: true,
        client_id: clientId,
        username,
        scope: 'read write',
        aud: RESOURCE,
        iss: server.issuer,
        token_type: 'Bearer',
      })

      // 7. Refresh: a new pair, and the old refresh token is retired (rotation).
      const refreshed = await postForm(
        token,
        { grant_type: 'refresh_token', refresh_token: firstRefresh },
        clientAuth,
      )
      expect(refreshed.status, refreshed.text).toBe(200)
      const secondAccess = stringField(refreshed.json, 'access_token')
      const secondRefresh = stringField(refreshed.json, 'refresh_token')
      expect(secondAccess).not.toBe(firstAccess)
      expect(secondRefresh).not.toBe(firstRefresh)
      // Checked by introspection first: replaying the old token revokes the whole family
      // (RFC 9700 §4.14.2), which would make the revocation below prove nothing.
      expect(await introspect(firstRefresh)).toEqual({ active: false })
      expect(await introspect(secondRefresh)).toMatchObject({
        active: true,
        token_type: 'refresh_token',
      })
      expect(await introspect(secondAccess)).toMatchObject({ active: true, aud: RESOURCE })

      // 8. Revoke the new refresh token (RFC 7009): 200, and it is no longer active, nor is the
      // access token of the same grant (§2.1 SHOULD).
      const revoked = await postForm(
        `${server.issuer}/revoke`,
        { token: secondRefresh, token_type_hint: 'refresh_token' },
        clientAuth,
      )
      expect(revoked.status, revoked.text).toBe(200)
      expect(await introspect(secondRefresh)).toEqual({ active: false })
      expect(await introspect(secondAccess)).toEqual({ active: false })

      // 9. Neither refresh token works any more.
      for (const spent of [firstRefresh, secondRefresh]) {
        const again = await postForm(
          token,
          { grant_type: 'refresh_token', refresh_token: spent },
          clientAuth,
        )
        expect(again.status, again.text).toBe(400)
        expect(again.json?.error).toBe('invalid_grant')
      }
    },
    TIMEOUT,
  )
})

function cookieNames(header: string | undefined): string {
  if (header === undefined) return '(none)'
  return header
    .split(';')
    .map((pair) => pair.split('=')[0]?.trim())
    .join(', ')
}

function stringField(body: Record<string, unknown> | null, name: string): string {
  const value = body?.[name]
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${name} missing from ${JSON.stringify(body)}`)
  }
  return value
}
