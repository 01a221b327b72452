import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueInitialAccessToken } from '../../src/core/registration/initial-access-token.js'
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
import { clientIdOf, nowSeconds, OAUTH_ERROR_CHARS, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const WEB_URI = 'https://client.example/callback'
const PASSWORD = 'correct horse battery staple'

/**
 * docs/decisions.md A40 (RFC 9700 §4.11.2, R9700-03): an authorization error found once the
 * client and its redirect URI are known, before anyone signed in, is redirected only for a
 * client someone vouched for. A client from anonymous open registration gets a 400 page whose
 * link carries the very response a redirect would have carried, until the user has signed in.
 */
describe('A40: errors for a client nobody vouched for, before sign-in, go through a page', () => {
  let open: TestServer
  let withToken: TestServer
  let withHook: TestServer
  /** Signed in as alice on `open`: the password is hashed once. */
  let alice: Browser
  const clients: Record<string, { readonly server: () => TestServer; readonly id: string }> = {}

  beforeAll(async () => {
    open = await startTestServer({ registration: { rateLimit: false } })
    await addUser(open.store, 'alice', PASSWORD, nowSeconds())
    const register = (server: TestServer, headers: Record<string, string> = {}) =>
      postJson(server.url, { redirect_uris: [WEB_URI], scope: 'read' }, headers).then(clientIdOf)

    clients.anonymous = { server: () => open, id: await register(open) }
    const made = await insertClient(open.store, { redirect_uris: [WEB_URI], scope: 'read' })
    clients['admin-made'] = { server: () => open, id: made.clientId }
    const trusted = await register(open)
    expect(await open.store.setClientTrusted(trusted, true)).toBe(true)
    clients.trusted = { server: () => open, id: trusted }

    withToken = await startTestServer({
      registration: { rateLimit: false, mode: 'initial_access_token' },
    })
    const { token } = await issueInitialAccessToken(withToken.store, {}, nowSeconds())
    clients['IAT-admitted'] = {
      server: () => withToken,
      id: await register(withToken, { Authorization: `Bearer ${token}` }),
    }

    withHook = await startTestServer({
      registration: { rateLimit: false, authorizeRegistration: () => true },
    })
    clients['hook-admitted'] = { server: () => withHook, id: await register(withHook) }

    alice = new Browser(open.url)
    const page = await alice.get(`${open.issuer}/login`)
    const answer = await alice.post(formAction(page.text) ?? '', {
      ...hiddenInputs(page.text),
      username: 'alice',
      password: PASSWORD,
    })
    expect(answer.status, answer.text).toBe(303)
  })
  afterAll(async () => {
    await Promise.all([open?.close(), withToken?.close(), withHook?.close()])
  })

  function clientOf(kind: string): { readonly server: TestServer; readonly id: string } {
    const entry = clients[kind]
    if (entry === undefined) throw new Error(`no ${kind} client`)
    return { server: entry.server(), id: entry.id }
  }

  /** A request the client got wrong: only client_id and state (no response_type, no PKCE). */
  function missingParameters(server: TestServer, id: string): string {
    return `${server.issuer}/authorize?${new URLSearchParams({ client_id: id, state: 'st 1' })}`
  }

  /** A well-formed request that may not show the login page. */
  function promptNone(server: TestServer, id: string): string {
    return authorizeUrl(server.issuer, { client_id: id, state: 'st 2', prompt: 'none' })
  }

  /** The link of the A40 page, unescaped; fails unless the answer is that page. */
  function interstitialLink(result: PageResult, error: string): string {
    expect({ status: result.status, location: result.location }, result.text).toEqual({
      status: 400,
      location: null,
    })
    expect(result.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(result.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(result.headers.get('referrer-policy')).toBe('no-referrer')
    expect(result.text).toContain(`<code id="error-code">${error}</code>`)
    expect(result.text).not.toMatch(/<script|http-equiv/i)
    const match = /<a id="return-link" href="([^"]*)"/.exec(result.text)
    if (match === null) throw new Error(`no return link in ${result.text}`)
    return (match[1] ?? '').replaceAll('&amp;', '&')
  }

  /** Exactly error, error_description, state and iss, in that order, and nothing else. */
  function expectResponseParameters(
    params: URLSearchParams,
    error: string,
    state: string,
    issuer: string,
  ): void {
    expect([...params.keys()]).toEqual(['error', 'error_description', 'state', 'iss'])
    expect(params.get('error')).toBe(error)
    expect(params.get('error_description')).toMatch(OAUTH_ERROR_CHARS)
    expect(params.get('state')).toBe(state)
    expect(params.get('iss')).toBe(issuer)
  }

  describe('an anonymous client, nobody signed in: a 400 page with the link, no Location', () => {
    it('missing parameters → invalid_request behind a link carrying exactly what the redirect carries', async () => {
      const { server, id } = clientOf('anonymous')
      const url = missingParameters(server, id)
      const page = await new Browser(server.url).get(url)
      const link = interstitialLink(page, 'invalid_request')
      expect(link.startsWith(`${WEB_URI}?`)).toBe(true)
      expectResponseParameters(redirectParams(link), 'invalid_request', 'st 1', server.issuer)
      expect(page.text).toContain(`<code id="redirect-uri">${WEB_URI}</code>`)

      // The same request once signed in is redirected to the very URI the link held.
      const after = await alice.get(url)
      expect(after.status).toBe(302)
      expect(after.location).toBe(link)
    })

    it('prompt=none → login_required behind the link, in the query', async () => {
      const { server, id } = clientOf('anonymous')
      const page = await new Browser(server.url).get(promptNone(server, id))
      const link = interstitialLink(page, 'login_required')
      expect(link.startsWith(`${WEB_URI}?`)).toBe(true)
      expectResponseParameters(redirectParams(link), 'login_required', 'st 2', server.issuer)
    })

    it('response_type token (implicit off) → the link carries the error in the fragment', async () => {
      const { server, id } = clientOf('anonymous')
      const query = new URLSearchParams({ response_type: 'token', client_id: id, state: 'st 3' })
      const page = await new Browser(server.url).get(`${server.issuer}/authorize?${query}`)
      const link = interstitialLink(page, 'unsupported_response_type')
      expect(link.startsWith(`${WEB_URI}#`)).toBe(true)
      const params = redirectParams(link, 'fragment')
      expectResponseParameters(params, 'unsupported_response_type', 'st 3', server.issuer)
    })

    it('POST /authorize (OAuth 2.1 §3.1): the same page, not a 303', async () => {
      const { server, id } = clientOf('anonymous')
      const page = await new Browser(server.url).post(`${server.issuer}/authorize`, {
        response_type: 'code',
        client_id: id,
        state: 'st 4',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        prompt: 'none',
      })
      const link = interstitialLink(page, 'login_required')
      expectResponseParameters(redirectParams(link), 'login_required', 'st 4', server.issuer)
    })
  })

  describe('a client someone vouched for: redirected at once, as before', () => {
    const kinds = ['admin-made', 'trusted', 'IAT-admitted', 'hook-admitted']
    it.each(kinds)('%s: missing parameters → 302 invalid_request', async (kind) => {
      const { server, id } = clientOf(kind)
      const result = await new Browser(server.url).get(missingParameters(server, id))
      expect(result.status, result.text).toBe(302)
      expect(result.location?.startsWith(`${WEB_URI}?`)).toBe(true)
      const params = redirectParams(result.location)
      expectResponseParameters(params, 'invalid_request', 'st 1', server.issuer)
    })

    it.each(kinds)('%s: prompt=none signed out → 302 login_required', async (kind) => {
      const { server, id } = clientOf(kind)
      const result = await new Browser(server.url).get(promptNone(server, id))
      expect(result.status, result.text).toBe(302)
      const params = redirectParams(result.location)
      expectResponseParameters(params, 'login_required', 'st 2', server.issuer)
    })
  })

  describe('once the user has signed in: redirected, whoever the client', () => {
    it.each(['anonymous', 'admin-made', 'trusted'])(
      '%s: missing parameters → 302 invalid_request; prompt=none → 302 to the client',
      async (kind) => {
        const { server, id } = clientOf(kind)
        const wrong = await alice.get(missingParameters(server, id))
        expect(wrong.status, wrong.text).toBe(302)
        expectResponseParameters(
          redirectParams(wrong.location),
          'invalid_request',
          'st 1',
          server.issuer,
        )

        const silent = await alice.get(promptNone(server, id))
        expect(silent.status, silent.text).toBe(302)
        const params = redirectParams(silent.location)
        // A trusted client skips consent: its silent request gets a code instead.
        if (kind === 'trusted') expect(params.has('code')).toBe(true)
        else expectResponseParameters(params, 'consent_required', 'st 2', server.issuer)
      },
    )
  })
})
