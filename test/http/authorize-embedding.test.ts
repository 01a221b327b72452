import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { timeKeyedDigest } from '../../src/core/crypto/time-keyed-token.js'
import type { ConsentPageContext, LoginPageContext } from '../../src/http/pages/page-contexts.js'
import { authorizeUrl, Browser, insertClient, redirectParams } from '../support/browser.js'
import { clientIdOf, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const WEB_URI = 'https://client.example/callback'

/**
 * Embedding: the host's authenticateUser hook replaces the built-in users, and renderLogin /
 * renderConsent replace the built-in pages. Also the implicit grant, which a host may enable.
 */
describe('authorization.authenticateUser and renderConsent (embedding)', () => {
  let server: TestServer
  let web: string
  let consentContexts: ConsentPageContext[]

  beforeAll(async () => {
    consentContexts = []
    server = await startTestServer({
      registration: { rateLimit: false },
      authorization: {
        implicit: true,
        scopeDescriptions: { read: 'Read your notes' },
        // The host's session is a header here; a real host would read its own cookie.
        async authenticateUser(request) {
          const who = request.headers.get('x-host-user')
          if (who === 'redirect') {
            return new Response(null, {
              status: 302,
              headers: { Location: 'https://host.example/login', 'X-From': 'host' },
            })
          }
          if (who === null) return null
          return { id: `host-${who}`, username: who }
        },
        renderConsent(context) {
          consentContexts.push(context)
          return new Response(`<p>host consent for ${context.client.clientId}</p>`, {
            headers: { 'Content-Type': 'text/html' },
          })
        },
      },
    })
    web = clientIdOf(
      await postJson(server.url, {
        redirect_uris: [WEB_URI],
        client_name: 'Notes app',
        scope: 'read write',
      }),
    )
  })
  afterAll(async () => {
    await server.close()
  })

  it('a Response from the hook is returned as it is', async () => {
    const result = await new Browser(server.url).get(
      authorizeUrl(server.issuer, { client_id: web }),
      {
        'x-host-user': 'redirect',
      },
    )
    expect(result.status).toBe(302)
    expect(result.location).toBe('https://host.example/login')
    expect(result.headers.get('x-from')).toBe('host')
  })

  it('null from the hook: 401 page saying sign-in is required, or login_required for prompt=none (A40: redirected for a vouched-for client, on a page for an anonymous one)', async () => {
    const browser = new Browser(server.url)
    const page = await browser.get(authorizeUrl(server.issuer, { client_id: web }))
    expect(page.status).toBe(401)
    expect(page.location).toBeNull()
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.text).toContain('Sign-in required')
    expect(page.headers.get('x-frame-options')).toBe('DENY')

    const admin = await insertClient(server.store, { redirect_uris: [WEB_URI] })
    const silent = await browser.get(
      authorizeUrl(server.issuer, { client_id: admin.clientId, prompt: 'none', state: 's' }),
    )
    expect(silent.status).toBe(302)
    const params = redirectParams(silent.location)
    expect(params.get('error')).toBe('login_required')
    expect(params.get('state')).toBe('s')
    expect(params.get('iss')).toBe(server.issuer)

    // `web` registered anonymously: the same answer, behind a link the user has to follow.
    const anonymous = await browser.get(
      authorizeUrl(server.issuer, { client_id: web, prompt: 'none', state: 's' }),
    )
    expect({ status: anonymous.status, location: anonymous.location }).toEqual({
      status: 400,
      location: null,
    })
    expect(anonymous.text).toContain('<code id="error-code">login_required</code>')
  })

  it('the built-in /login and /logout are not served when the host signs users in', async () => {
    const browser = new Browser(server.url)
    expect((await browser.get('/login')).status).toBe(404)
    expect((await browser.get('/logout')).status).toBe(404)
  })

  it('renderConsent gets the context; its form, posted back with the CSRF cookie, yields a code for the host’s user', async () => {
    const browser = new Browser(server.url)
    const headers = { 'x-host-user': 'alice' }
    const page = await browser.get(
      authorizeUrl(server.issuer, {
        client_id: web,
        scope: 'read write',
        resource: 'https://api.example.com',
        state: 'e',
      }),
      headers,
    )
    expect(page.status).toBe(200)
    expect(page.text).toBe(`<p>host consent for ${web}</p>`)
    // registrar's headers that cannot break the host's page are added.
    expect(page.headers.get('x-frame-options')).toBe('DENY')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(browser.cookie('registrar-csrf')).not.toBeNull()

    const context = consentContexts.at(-1)
    if (context === undefined) throw new Error('renderConsent was not called')
    expect(context).toMatchObject({
      action: '/consent',
      client: {
        clientId: web,
        name: 'Notes app',
        logoUri: null,
        clientUri: null,
        unverified: true,
        redirectHost: 'client.example',
      },
      scopes: [
        { value: 'read', description: 'Read your notes' },
        { value: 'write', description: 'write' },
      ],
      resources: ['https://api.example.com'],
      user: { id: 'host-alice', username: 'alice' },
    })
    expect(context.request).toBeInstanceOf(Request)

    const form = { ...context.hidden, csrf_token: context.csrfToken, decision: 'allow' }
    // Without the host's user, the decision is refused.
    expect((await browser.post(context.action, form)).status).toBe(401)
    // Without the pre-login cookie the token is worthless.
    const stranger = new Browser(server.url)
    expect((await stranger.post(context.action, form, headers)).status).toBe(403)

    const allowed = await browser.post(context.action, form, headers)
    expect(allowed.status).toBe(303)
    const params = redirectParams(allowed.location)
    expect(params.get('state')).toBe('e')
    expect(params.get('iss')).toBe(server.issuer)
    const record = await server.store.findAuthorizationCode(
      timeKeyedDigest(params.get('code') ?? ''),
    )
    expect(record?.userId).toBe('host-alice')
  })

  it('the implicit grant, when the host enables it: an access token in the fragment, stored for the audience', async () => {
    const implicit = await insertClient(
      server.store,
      { grant_types: ['implicit'], response_types: ['token'] },
      { trusted: true },
    )
    const result = await new Browser(server.url).get(
      `${server.issuer}/authorize?${new URLSearchParams({
        response_type: 'token',
        client_id: implicit.clientId,
        state: 'i',
        scope: 'read',
        resource: 'https://api.example.com',
      })}`,
      { 'x-host-user': 'alice' },
    )
    expect(result.status).toBe(302)
    expect(result.location?.startsWith(`${WEB_URI}#`)).toBe(true)
    const params = redirectParams(result.location, 'fragment')
    expect(params.get('token_type')).toBe('Bearer')
    expect(params.get('expires_in')).toBe('3600')
    expect(params.get('scope')).toBe('read')
    expect(params.get('state')).toBe('i')
    expect(params.get('iss')).toBe(server.issuer)
    expect(params.has('refresh_token')).toBe(false)
    const token = await server.store.findToken(timeKeyedDigest(params.get('access_token') ?? ''))
    expect(token).toMatchObject({
      kind: 'access',
      clientId: implicit.clientId,
      userId: 'host-alice',
      scope: 'read',
      resources: ['https://api.example.com'],
    })

    // The same client asking for a code is not registered for that grant.
    const code = await new Browser(server.url).get(
      authorizeUrl(server.issuer, { client_id: implicit.clientId, state: 'c' }),
      { 'x-host-user': 'alice' },
    )
    expect(redirectParams(code.location).get('error')).toBe('unauthorized_client')
  })

  it('with implicit enabled, a client not registered for it still gets unsupported_response_type', async () => {
    const result = await new Browser(server.url).get(
      `${server.issuer}/authorize?${new URLSearchParams({ response_type: 'token', client_id: web, state: 't' })}`,
      { 'x-host-user': 'alice' },
    )
    expect(redirectParams(result.location, 'fragment').get('error')).toBe(
      'unsupported_response_type',
    )
  })
})

describe('authorization.renderLogin replaces the built-in login page', () => {
  let server: TestServer
  let contexts: LoginPageContext[]

  beforeAll(async () => {
    contexts = []
    server = await startTestServer({
      authorization: {
        renderLogin(context) {
          contexts.push(context)
          return new Response(`<p>host login${context.error === null ? '' : ': error'}</p>`, {
            headers: { 'Content-Type': 'text/html' },
          })
        },
      },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('is called with the form action, CSRF token and pending request; its page gets the cookie and headers', async () => {
    const client = clientIdOf(await postJson(server.url, { redirect_uris: [WEB_URI] }))
    const browser = new Browser(server.url)
    const page = await browser.get(authorizeUrl(server.issuer, { client_id: client, state: 'r' }))
    expect(page.status).toBe(200)
    expect(page.text).toBe('<p>host login</p>')
    expect(page.headers.get('x-frame-options')).toBe('DENY')
    expect(browser.cookie('registrar-csrf')).not.toBeNull()
    const context = contexts.at(-1)
    if (context === undefined) throw new Error('renderLogin was not called')
    expect(context.action).toBe('/login')
    expect(context.error).toBeNull()
    const pending = new URLSearchParams(context.hidden.authorization_request)
    expect(pending.get('client_id')).toBe(client)
    expect(pending.get('state')).toBe('r')

    // An incomplete submission comes back through the renderer, with an error and status 400.
    const again = await browser.post(context.action, {
      ...context.hidden,
      csrf_token: context.csrfToken,
      username: 'alice',
    })
    expect(again.status).toBe(400)
    expect(again.text).toBe('<p>host login: error</p>')
    expect(contexts.at(-1)?.error).not.toBeNull()
  })
})
