import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUser } from '../../src/core/users/add-user.js'
import type { PageResult } from '../support/browser.js'
import { authorizeUrl, Browser, formAction, hiddenInputs, pkcePair } from '../support/browser.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import { basic, postForm, storedToken, stringMember } from '../support/token-helpers.js'

const PASSWORD = 'correct horse battery staple'
const WEB_URI = 'https://client.example/callback'
const CURSOR_URI = 'cursor://anysphere.cursor-mcp/oauth/callback'
const VSCODE_URI = 'http://127.0.0.1:33418/'
const MCP_BARE = 'https://mcp.example.com'
const MCP_SLASH = 'https://mcp.example.com/'

/** A registered client as a test drives it: its id, and how it authenticates at /token. */
interface Client {
  readonly clientId: string
  readonly form: Record<string, string>
  readonly headers: Record<string, string>
}

/** A code delivered to a redirect URI, with what the token request needs to redeem it. */
interface Code {
  readonly code: string
  readonly verifier: string
  readonly redirectUri: string
}

/**
 * Issue 13 item 7: what MCP clients (ChatGPT, Cursor, VS Code, Claude) do against a real
 * registrar that must just work, each through the HTTP endpoints they call: registration, the
 * browser's /authorize, sign-in and consent, /token (code and refresh) and /introspect.
 */
describe('MCP client behaviours', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    await addUser(server.store, 'alice', PASSWORD, nowSeconds())
  })
  afterAll(async () => {
    await server.close()
  })

  /** Registers a client by POST /register, failing the test on anything but 201. */
  async function registerClient(metadata: Record<string, unknown>): Promise<Client> {
    const result = await postJson(server.url, {
      redirect_uris: [WEB_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      ...metadata,
    })
    expect(result.status, result.text).toBe(201)
    const clientId = stringMember(result, 'client_id')
    const secret = result.json?.client_secret
    return typeof secret === 'string'
      ? { clientId, form: {}, headers: basic(clientId, secret) }
      : { clientId, form: { client_id: clientId }, headers: {} }
  }

  function confidentialClient(metadata: Record<string, unknown> = {}): Promise<Client> {
    return registerClient({ token_endpoint_auth_method: 'client_secret_basic', ...metadata })
  }

  /** A browser signed in as alice, through the login page a first /authorize shows. */
  async function signedIn(clientId: string, redirectUri = WEB_URI): Promise<Browser> {
    const browser = new Browser(server.url)
    const login = await browser.get(
      authorizeUrl(server.issuer, {
        client_id: clientId,
        redirect_uri: redirectUri,
        prompt: 'consent',
      }),
    )
    expect(formAction(login.text), login.text).toBe('/login')
    const posted = await browser.post('/login', {
      ...hiddenInputs(login.text),
      username: 'alice',
      password: PASSWORD,
    })
    expect(posted.status, posted.text).toBe(303)
    return browser
  }

  function isConsentPage(page: PageResult): boolean {
    return page.status === 200 && page.text.includes('name="decision" value="allow"')
  }

  /**
   * Sends the browser to /authorize with `params` (and a fresh PKCE challenge); allows on the
   * consent page if one is shown. Returns the code and whether consent was asked.
   */
  async function authorize(
    browser: Browser,
    params: Record<string, string | readonly string[]>,
  ): Promise<Code & { readonly asked: boolean }> {
    const { verifier, challenge } = pkcePair()
    const query = new URLSearchParams({
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })
    for (const [name, value] of Object.entries(params)) {
      for (const one of typeof value === 'string' ? [value] : value) query.append(name, one)
    }
    const redirectUri = query.get('redirect_uri') ?? WEB_URI
    let page = await browser.get(authorizeUrl(server.issuer, query))
    const asked = isConsentPage(page)
    if (asked)
      page = await browser.post('/consent', { ...hiddenInputs(page.text), decision: 'allow' })
    expect(page.status, page.text).toBeOneOf([302, 303])
    const location = page.location ?? ''
    expect(location.startsWith(`${redirectUri}?`), location).toBe(true)
    const code = new URL(location).searchParams.get('code')
    if (code === null) throw new Error(`no code in ${location}`)
    return { code, verifier, redirectUri, asked }
  }

  function token(client: Client, form: Record<string, string | readonly string[]>) {
    return postForm(`${server.url}/token`, { ...client.form, ...form }, client.headers)
  }

  function redeem(
    client: Client,
    code: Code,
    form: Record<string, string | readonly string[]> = {},
  ) {
    return token(client, {
      grant_type: 'authorization_code',
      code: code.code,
      code_verifier: code.verifier,
      redirect_uri: code.redirectUri,
      ...form,
    })
  }

  function refresh(client: Client, tokens: HttpResult, form: Record<string, string> = {}) {
    return token(client, {
      grant_type: 'refresh_token',
      refresh_token: stringMember(tokens, 'refresh_token'),
      ...form,
    })
  }

  async function introspectedAud(client: Client, tokens: HttpResult): Promise<unknown> {
    const result = await postForm(
      `${server.url}/introspect`,
      { token: stringMember(tokens, 'access_token') },
      client.headers,
    )
    expect(result.json?.active, result.text).toBe(true)
    return result.json?.aud
  }

  describe('docs/decisions.md A33: an origin with and without a trailing slash is one resource', () => {
    it.each([
      [MCP_SLASH, MCP_BARE, MCP_SLASH],
      [MCP_BARE, MCP_SLASH, MCP_BARE],
    ])(
      'authorized as %s, redeemed as %s, refreshed as %s: one audience',
      async (atAuthorize, atCode, atRefresh) => {
        const client = await confidentialClient()
        const browser = await signedIn(client.clientId)
        const code = await authorize(browser, { client_id: client.clientId, resource: atAuthorize })
        const tokens = await redeem(client, code, { resource: atCode })
        expect(tokens.status, tokens.text).toBe(200)
        expect((await storedToken(server.store, tokens.json?.access_token))?.resources).toEqual([
          MCP_BARE,
        ])
        expect(await introspectedAud(client, tokens)).toBe(MCP_BARE)

        const refreshed = await refresh(client, tokens, { resource: atRefresh })
        expect(refreshed.status, refreshed.text).toBe(200)
        expect(await introspectedAud(client, refreshed)).toBe(MCP_BARE)
      },
    )

    it.each([
      [MCP_SLASH, MCP_BARE],
      [MCP_BARE, MCP_SLASH],
    ])('a consent remembered for %s covers %s', async (consented, requested) => {
      const client = await confidentialClient()
      const browser = await signedIn(client.clientId)
      const first = await authorize(browser, { client_id: client.clientId, resource: consented })
      expect(first.asked).toBe(true)
      const other = await authorize(browser, { client_id: client.clientId, resource: requested })
      expect(other.asked).toBe(false)
      // A resource never consented to still asks: the page is not skipped for any resource.
      const path = await authorize(browser, {
        client_id: client.clientId,
        resource: `${MCP_BARE}/mcp`,
      })
      expect(path.asked).toBe(true)
    })

    it('a longer path keeps its exact form: /mcp and /mcp/ are two resources', async () => {
      const client = await confidentialClient()
      const browser = await signedIn(client.clientId)
      const code = await authorize(browser, {
        client_id: client.clientId,
        resource: `${MCP_BARE}/mcp`,
      })
      const tokens = await redeem(client, code, { resource: `${MCP_BARE}/mcp/` })
      expectOAuthError(tokens, 400, 'invalid_target')
      expect(tokens.json?.error_description).toContain(`${MCP_BARE}/mcp/`)
    })
  })

  describe('RFC 6749 §3.3 and §6: an omitted scope', () => {
    it('at /authorize is the registered scope (ChatGPT on reconnect)', async () => {
      const client = await confidentialClient({ scope: 'read write' })
      const browser = await signedIn(client.clientId)
      const tokens = await redeem(client, await authorize(browser, { client_id: client.clientId }))
      expect(tokens.status, tokens.text).toBe(200)
      expect(tokens.json?.scope).toBe('read write')
    })

    it('at /authorize, for a client that registered no scope, is the default registered one', async () => {
      const client = await confidentialClient()
      const browser = await signedIn(client.clientId)
      const tokens = await redeem(client, await authorize(browser, { client_id: client.clientId }))
      expect(tokens.json?.scope, tokens.text).toBe('read write')
    })

    it('at a refresh keeps what was granted, even after a narrowed refresh', async () => {
      const client = await confidentialClient({ scope: 'read write' })
      const browser = await signedIn(client.clientId)
      const code = await authorize(browser, { client_id: client.clientId, scope: 'read write' })
      const tokens = await redeem(client, code)
      const narrowed = await refresh(client, tokens, { scope: 'read' })
      expect(narrowed.json?.scope, narrowed.text).toBe('read')
      const kept = await refresh(client, narrowed)
      expect(kept.status, kept.text).toBe(200)
      expect(kept.json?.scope).toBe('read write')
    })
  })

  describe('prompt=consent and offline_access', () => {
    it('prompt=consent shows the consent page despite a remembered consent', async () => {
      const client = await confidentialClient()
      const browser = await signedIn(client.clientId)
      expect((await authorize(browser, { client_id: client.clientId })).asked).toBe(true)
      expect((await authorize(browser, { client_id: client.clientId })).asked).toBe(false)
      const again = await authorize(browser, { client_id: client.clientId, prompt: 'consent' })
      expect(again.asked).toBe(true)
    })

    it('scope with offline_access, unknown to the server, is invalid_scope at the redirect URI', async () => {
      const client = await confidentialClient({ scope: 'read write' })
      const browser = await signedIn(client.clientId)
      const page = await browser.get(
        authorizeUrl(server.issuer, {
          client_id: client.clientId,
          scope: 'read offline_access',
          prompt: 'consent',
          state: 'st',
        }),
      )
      expect(page.status, page.text).toBe(302)
      const params = new URL(page.location ?? '').searchParams
      expect(params.get('error')).toBe('invalid_scope')
      expect(params.get('error_description')).toContain('offline_access')
      expect(params.get('state')).toBe('st')
    })

    it('offline_access at registration, unknown to the server, is invalid_client_metadata', async () => {
      const result = await postJson(server.url, {
        redirect_uris: [WEB_URI],
        scope: 'read offline_access',
      })
      expectOAuthError(result, 400, 'invalid_client_metadata')
      expect(result.json?.error_description).toContain('offline_access')
    })

    it('offline_access among the configured scopes is an ordinary scope, granted with consent', async () => {
      const other = await startTestServer({
        registration: { rateLimit: false },
        scopes: ['read', 'offline_access'],
      })
      try {
        await addUser(other.store, 'alice', PASSWORD, nowSeconds())
        const previous = server
        server = other
        try {
          const client = await confidentialClient({ scope: 'read offline_access' })
          const browser = await signedIn(client.clientId)
          const code = await authorize(browser, {
            client_id: client.clientId,
            scope: 'read offline_access',
            prompt: 'consent',
          })
          expect(code.asked).toBe(true)
          const tokens = await redeem(client, code)
          expect(tokens.status, tokens.text).toBe(200)
          expect(tokens.json?.scope).toBe('read offline_access')
        } finally {
          server = previous
        }
      } finally {
        await other.close()
      }
    })
  })

  describe('RFC 8252 §7: a public client with a private-use, an https and a loopback URI', () => {
    it.each([CURSOR_URI, WEB_URI, VSCODE_URI])(
      '%s is registered and works at /authorize and /token',
      async (uri) => {
        const client = await registerClient({
          redirect_uris: [CURSOR_URI, WEB_URI, VSCODE_URI],
          token_endpoint_auth_method: 'none',
        })
        const browser = await signedIn(client.clientId, uri)
        const code = await authorize(browser, { client_id: client.clientId, redirect_uri: uri })
        const tokens = await redeem(client, code)
        expect(tokens.status, tokens.text).toBe(200)
      },
    )
  })

  describe('RFC 8252 §7.3: a loopback redirect on another port (VS Code)', () => {
    it('registered on 33418, used on 51234: the code goes to 51234 and redeems there', async () => {
      const client = await registerClient({
        redirect_uris: [VSCODE_URI],
        token_endpoint_auth_method: 'none',
      })
      const browser = await signedIn(client.clientId, VSCODE_URI)
      const used = 'http://127.0.0.1:51234/'
      const code = await authorize(browser, { client_id: client.clientId, redirect_uri: used })
      expect(code.redirectUri).toBe(used)
      const tokens = await redeem(client, code)
      expect(tokens.status, tokens.text).toBe(200)
    })

    it.each(['http://127.0.0.1:51234/callback', 'http://localhost:51234/'])(
      '%s (another path or host) is refused on a page, never redirected to',
      async (used) => {
        const client = await registerClient({
          redirect_uris: [VSCODE_URI],
          token_endpoint_auth_method: 'none',
        })
        const browser = await signedIn(client.clientId, VSCODE_URI)
        const page = await browser.get(
          authorizeUrl(server.issuer, { client_id: client.clientId, redirect_uri: used }),
        )
        expect(page.status, page.text).toBe(400)
        expect(page.location).toBeNull()
        expect(page.text).toContain('redirect_uri')
      },
    )
  })
})
