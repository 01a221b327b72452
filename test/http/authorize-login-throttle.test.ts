import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUser } from '../../src/core/users/add-user.js'
import type { PageResult } from '../support/browser.js'
import { authorizeUrl, Browser, formAction, hiddenInputs } from '../support/browser.js'
import { clientIdOf, nowSeconds, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const PASSWORD = 'correct horse battery staple'

/**
 * RFC 6749 §10.7 / R6749-06: failed logins are throttled per username and per address
 * (loginThrottle: 2 failures an hour here). A locked login gets the login page with 429 and
 * Retry-After, and the password is not even checked: the right one is refused too.
 */
describe('failed logins are rate limited (options.authorization.loginThrottle)', () => {
  let server: TestServer
  let client: string

  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false },
      // One proxy hop, so each test can speak from its own address through X-Forwarded-For.
      trustProxyHops: 1,
      authorization: { loginThrottle: { max: 2, windowSeconds: 3600 } },
    })
    await addUser(server.store, 'alice', PASSWORD, nowSeconds())
    await addUser(server.store, 'bob', PASSWORD, nowSeconds())
    client = clientIdOf(await postJson(server.url, { redirect_uris: ['https://c.example/cb'] }))
  })
  afterAll(async () => {
    await server.close()
  })

  /** One login attempt from `ip`, through a fresh login page. */
  async function attempt(ip: string, username: string, password: string): Promise<PageResult> {
    const browser = new Browser(server.url)
    const headers = { 'X-Forwarded-For': ip }
    const page = await browser.get(authorizeUrl(server.issuer, { client_id: client }), headers)
    return browser.post(
      formAction(page.text) ?? '',
      { ...hiddenInputs(page.text), username, password },
      headers,
    )
  }

  function expectThrottled(result: PageResult): void {
    expect(result.status).toBe(429)
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(result.text).toContain('id="login-error"')
    expect(result.text).toContain('name="password"')
    expect(result.headers.getSetCookie().some((c) => c.startsWith('registrar-session='))).toBe(
      false,
    )
  }

  it('per username: 2 failures are answered 401, the 3rd 429, then even the right password is refused', async () => {
    expect((await attempt('192.0.2.1', 'alice', 'wrong-1')).status).toBe(401)
    expect((await attempt('192.0.2.2', 'alice', 'wrong-2')).status).toBe(401)
    expectThrottled(await attempt('192.0.2.3', 'alice', 'wrong-3'))
    expectThrottled(await attempt('192.0.2.4', 'alice', PASSWORD))
  })

  it('per address: failures for any usernames, known or not, lock the address for everyone', async () => {
    const ip = '198.51.100.1'
    expect((await attempt(ip, 'nobody-1', 'x')).status).toBe(401)
    expect((await attempt(ip, 'nobody-2', 'x')).status).toBe(401)
    expectThrottled(await attempt(ip, 'nobody-3', 'x'))
    expectThrottled(await attempt(ip, 'bob', PASSWORD))
    // bob himself is not locked: from another address he signs in.
    expect((await attempt('198.51.100.2', 'bob', PASSWORD)).status).toBe(303)
  })
})
