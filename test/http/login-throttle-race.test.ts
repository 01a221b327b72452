import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/core/store/store.js'
import type { PageResult } from '../support/browser.js'
import { Browser, formAction, hiddenInputs } from '../support/browser.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestClient, TestUser } from '../support/token-helpers.js'
import { createTestClient, createTestUser, postForm, random } from '../support/token-helpers.js'

/** Failures per username (and per address) in 15 minutes. */
const MAX = 10

/**
 * Counts the users the server looks up. Every password check looks its user up first, and the
 * throttle counts an attempt before that, so once this reaches MAX, MAX attempts have been
 * counted and the bucket is empty, however far their hashes have got.
 */
function countUserLookups(store: Store): () => number {
  const find = store.findUserByUsername.bind(store)
  let lookups = 0
  Object.assign(store, {
    async findUserByUsername(username: string) {
      lookups++
      return find(username)
    },
  })
  return () => lookups
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** The sign-in form, with its CSRF token bound to this browser's pre-login cookie. */
async function signInForm(
  server: TestServer,
): Promise<(username: string, password: string, ip: string) => Promise<PageResult>> {
  const browser = new Browser(server.url)
  const page = await browser.get(`${server.url}/login`)
  const action = formAction(page.text) ?? ''
  const hidden = hiddenInputs(page.text)
  return (username, password, ip) =>
    browser.post(action, { ...hidden, username, password }, { 'X-Forwarded-For': ip })
}

/**
 * Fires `wrong` wrong attempts at once and, as soon as MAX of them have been let in but long
 * before their password hashes are done, the right password, each from its own address (only
 * the username's limit is at stake). Returns the answers in that order, the right one last.
 */
async function burstWithTheRightPasswordInTheMiddle<T>(
  server: TestServer,
  attempt: (password: string, ip: string) => Promise<T>,
  password: string,
  wrong: number,
): Promise<{ readonly wrong: readonly T[]; readonly right: T }> {
  const lookups = countUserLookups(server.store)
  const wrongAnswers = Array.from({ length: wrong }, (_, i) =>
    attempt(`wrong-${i}`, `198.51.100.${i + 1}`),
  )
  await until(() => lookups() >= MAX)
  const right = await attempt(password, '203.0.113.1')
  return { wrong: await Promise.all(wrongAnswers), right }
}

describe('RFC 6749 §10.7: concurrent sign-ins cannot outrun the login throttle', () => {
  let server: TestServer
  let user: TestUser
  let client: TestClient
  beforeAll(async () => {
    server = await startTestServer({
      trustProxyHops: 1,
      authorization: {
        password: true,
        loginThrottle: { max: MAX, windowSeconds: 900 },
        // Room for every attempt at once: here only the throttle may refuse.
        maxConcurrentPasswordHashes: 64,
      },
    })
    client = await createTestClient(server.store, { grantTypes: ['password'] })
  })
  afterAll(async () => {
    await server.close()
  })

  it('/login: of 29 wrong attempts at once exactly 10 are checked, and the right password sent among them is refused (429)', async () => {
    user = await createTestUser(server.store)
    const post = await signInForm(server)
    const { wrong, right } = await burstWithTheRightPasswordInTheMiddle(
      server,
      (password, ip) => post(user.username, password, ip),
      user.password,
      29,
    )
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(right.headers.getSetCookie().some((c) => c.startsWith('registrar-session='))).toBe(false)
    expect(wrong.filter((page) => page.status === 401)).toHaveLength(MAX)
    expect(wrong.filter((page) => page.status === 429)).toHaveLength(29 - MAX)
  })

  it('grant_type=password: of 29 wrong attempts at once exactly 10 are checked, and the right password sent among them is refused', async () => {
    user = await createTestUser(server.store)
    const attempt = (password: string, ip: string) =>
      postForm(
        `${server.url}/token`,
        { grant_type: 'password', username: user.username, password },
        { ...client.auth.headers, 'X-Forwarded-For': ip },
      )
    const { wrong, right } = await burstWithTheRightPasswordInTheMiddle(
      server,
      attempt,
      user.password,
      29,
    )
    expectLocked(right)
    const checked = wrong.filter((result) => result.headers.get('retry-after') === null)
    expect(checked).toHaveLength(MAX)
    for (const result of checked) expectOAuthError(result, 400, 'invalid_grant')
    for (const result of wrong.filter((r) => !checked.includes(r))) expectLocked(result)
  })

  function expectLocked(result: HttpResult): void {
    expectOAuthError(result, 400, 'invalid_grant')
    expect(result.json?.error_description).toMatch(/^too many failed attempts/)
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(result.json?.access_token).toBeUndefined()
  }
})

describe('concurrent password checks beyond authorization.maxConcurrentPasswordHashes get a quick 503', () => {
  let server: TestServer
  let client: TestClient
  beforeAll(async () => {
    server = await startTestServer({
      trustProxyHops: 1,
      authorization: { password: true, maxConcurrentPasswordHashes: 2 },
    })
    client = await createTestClient(server.store, { grantTypes: ['password'] })
    // The first unknown-user check also makes the dummy hash: done before the clock starts.
    await postForm(
      `${server.url}/token`,
      { grant_type: 'password', username: 'warm-up', password: 'x' },
      client.auth.headers,
    )
  })
  afterAll(async () => {
    await server.close()
  })

  /** Each answer with how long it took; every attempt from its own address, for unknown users. */
  async function burst<T extends { readonly status: number }>(
    attempt: (username: string, ip: string) => Promise<T>,
  ): Promise<readonly (T & { readonly ms: number })[]> {
    return Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const started = performance.now()
        const result = await attempt(`nobody-${random()}`, `192.0.2.${i + 1}`)
        return { ...result, ms: performance.now() - started }
      }),
    )
  }

  /** At most 2 were checked at a time, each taking one scrypt; the rest never waited for one. */
  function expectQuick503s(results: readonly { readonly status: number; readonly ms: number }[]) {
    const busy = results.filter((r) => r.status === 503)
    const checked = results.filter((r) => r.status !== 503)
    expect(busy.length).toBeGreaterThanOrEqual(8)
    expect(checked.length).toBeGreaterThanOrEqual(2)
    const quickestCheck = Math.min(...checked.map((r) => r.ms))
    for (const result of busy) expect(result.ms).toBeLessThan(quickestCheck)
  }

  it('/login: the sign-in page again with 503, Retry-After and the form', async () => {
    const post = await signInForm(server)
    const results = await burst((username, ip) => post(username, 'guess', ip))
    expectQuick503s(results)
    for (const page of results.filter((r) => r.status !== 503)) expect(page.status).toBe(401)
    for (const page of results.filter((r) => r.status === 503)) {
      expect(page.headers.get('retry-after')).toBe('1')
      expect(page.text).toContain('id="login-error"')
      expect(page.text).toContain('name="password"')
    }
  })

  it('grant_type=password: 503 temporarily_unavailable with Retry-After', async () => {
    const results = await burst((username, ip) =>
      postForm(
        `${server.url}/token`,
        { grant_type: 'password', username, password: 'guess' },
        { ...client.auth.headers, 'X-Forwarded-For': ip },
      ),
    )
    expectQuick503s(results)
    for (const result of results) {
      if (result.status === 503) {
        expectOAuthError(result, 503, 'temporarily_unavailable')
        expect(result.headers.get('retry-after')).toBe('1')
      } else expectOAuthError(result, 400, 'invalid_grant')
    }
  })
})

describe('the owner passes a username lock from an address they signed in from', () => {
  let server: TestServer
  let user: TestUser
  let post: Awaited<ReturnType<typeof signInForm>>
  beforeAll(async () => {
    server = await startTestServer({
      trustProxyHops: 1,
      authorization: { loginThrottle: { max: 3, windowSeconds: 900 } },
    })
    user = await createTestUser(server.store)
    post = await signInForm(server)
    // The owner signs in from home (IPv4) and from a phone (an IPv6 address).
    expect((await post(user.username, user.password, '192.0.2.10')).status).toBe(303)
    expect((await post(user.username, user.password, '2001:db8:7:8::1')).status).toBe(303)
    // Someone elsewhere locks the username with wrong guesses.
    for (let i = 1; i <= 3; i++) {
      expect((await post(user.username, `guess-${i}`, `203.0.113.${i}`)).status).toBe(401)
    }
    expect((await post(user.username, user.password, '203.0.113.99')).status).toBe(429)
  })
  afterAll(async () => {
    await server.close()
  })

  it('the right password from the known address signs in (303); from an unknown address it stays locked (429)', async () => {
    expect((await post(user.username, user.password, '192.0.2.10')).status).toBe(303)
    const elsewhere = await post(user.username, user.password, '198.51.100.50')
    expect(elsewhere.status).toBe(429)
    expect(Number(elsewhere.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('the phone, on a new temporary address in the same /64, is known too', async () => {
    expect((await post(user.username, user.password, '2001:db8:7:8:a:b:c:d')).status).toBe(303)
    expect((await post(user.username, user.password, '2001:db8:7:9::1')).status).toBe(429)
  })

  it('a wrong password from the known address is answered as locked, not as wrong', async () => {
    const page = await post(user.username, 'wrong', '192.0.2.10')
    expect(page.status).toBe(429)
    expect(page.headers.getSetCookie().some((c) => c.startsWith('registrar-session='))).toBe(false)
  })
})

describe('a sign-in page drawn by the host (renderLogin) still says when to retry', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      authorization: {
        loginThrottle: { max: 1, windowSeconds: 900 },
        renderLogin: (context) =>
          new Response(
            `<form method="post" action="${context.action}"><input type="hidden" name="csrf_token" value="${context.csrfToken}"></form>`,
            { headers: { 'Content-Type': 'text/html' } },
          ),
      },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('a locked sign-in gets the host page with 429 and Retry-After', async () => {
    const post = await signInForm(server)
    expect((await post('alice', 'wrong', '192.0.2.1')).status).toBe(401)
    const locked = await post('alice', 'wrong', '192.0.2.1')
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})
