import { randomBytes } from 'node:crypto'
import type {
  OAuthClientProvider,
  OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js'
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/core/users/password-hash.js'
import { Browser, formAction, hiddenInputs } from '../support/browser.js'
import type { ClientApp } from '../support/client-app.js'
import { startClientApp } from '../support/client-app.js'
import type { ProtectedResource } from '../support/protected-resource.js'
import { startProtectedResource } from '../support/protected-resource.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestClient } from '../support/token-helpers.js'
import { createTestClient, postForm } from '../support/token-helpers.js'

/**
 * Issue #4: the official MCP TypeScript SDK's OAuth client (`auth()` from
 * @modelcontextprotocol/sdk/client/auth.js) against registrar, as an MCP client meets it:
 * a 401 from the MCP server names its protected resource metadata (RFC 9728), which names
 * registrar; the SDK reads registrar's metadata (RFC 8414), registers itself (RFC 7591), and runs
 * the code flow with PKCE and the resource indicator (RFC 8707). The user's part (sign-in and
 * consent) is played here with plain fetch calls; the resource server checks tokens by
 * introspection (RFC 7662) as a resource-server client of registrar.
 */
const TIMEOUT = 60_000

/** The SDK's storage, kept in memory, recording what it was asked to keep. */
class RecordingProvider implements OAuthClientProvider {
  readonly authorizationUrls: URL[] = []
  readonly states: string[] = []
  registered: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  discovery: OAuthDiscoveryState | undefined
  #verifier: string | undefined
  readonly #redirectUri: string
  readonly #authorize: (url: URL) => Promise<void>

  constructor(redirectUri: string, authorize: (url: URL) => Promise<void>) {
    this.#redirectUri = redirectUri
    this.#authorize = authorize
  }

  get redirectUrl(): string {
    return this.#redirectUri
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      redirect_uris: [this.#redirectUri],
      client_name: 'MCP SDK E2E Client',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }
  }

  state(): string {
    const state = randomBytes(16).toString('base64url')
    this.states.push(state)
    return state
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.registered
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.registered = information
  }

  tokens(): OAuthTokens | undefined {
    return this.saved
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizationUrls.push(authorizationUrl)
    await this.#authorize(authorizationUrl)
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#verifier = codeVerifier
  }

  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error('no code verifier saved')
    return this.#verifier
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery
  }
}

describe('MCP TypeScript SDK client against registrar (issue #4)', () => {
  let server: TestServer
  let app: ClientApp
  let mcp: ProtectedResource
  let resourceServer: TestClient | null = null

  const username = `mcp-user-${randomBytes(4).toString('hex')}`
  const password = `pw-${randomBytes(12).toString('base64url')}`
  let userId: string

  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    userId = `user-${randomBytes(8).toString('hex')}`
    await server.store.createUser({
      id: userId,
      username,
      passwordHash: await hashPassword(password),
      createdAt: Math.floor(Date.now() / 1000),
    })
    app = await startClientApp()
    mcp = await startProtectedResource({
      authorizationServer: server.issuer,
      scopesSupported: ['read'],
      introspect: (token) => introspect(token),
    })
    // The MCP server's own client at registrar: confidential, client_credentials only, and
    // marked as the resource server of its URI so that it may introspect tokens meant for it
    // (docs/decisions.md A24). Written to the store as `registrar client create` would (origin admin).
    resourceServer = await createTestClient(server.store, {
      method: 'client_secret_basic',
      grantTypes: ['client_credentials'],
      resourceServer: mcp.resource,
      scope: 'read',
    })
  }, TIMEOUT)

  afterAll(async () => {
    await mcp?.close()
    await app?.close()
    await server?.close()
  }, TIMEOUT)

  /** RFC 7662 at registrar, authenticated as the resource server (client_secret_basic). */
  async function introspect(token: string): Promise<Record<string, unknown>> {
    if (resourceServer === null) throw new Error('the resource server client is not set up yet')
    const answer = await postForm(
      `${server.issuer}/introspect`,
      { token, token_type_hint: 'access_token' },
      resourceServer.auth.headers,
    )
    if (answer.status !== 200 || answer.json === null) {
      throw new Error(`introspection failed: ${answer.status} ${answer.text}`)
    }
    return answer.json
  }

  /**
   * The user's side, with fetch and a cookie jar: the authorization URL shows the sign-in page;
   * its form (action, hidden CSRF token and pending request, read with regexes) is posted with
   * the password, which starts a session and returns to /authorize; the consent page's form is
   * posted with decision=allow; the redirect to the client is followed to the client app, which
   * records the query. Every step is asserted, so a broken step fails here, by name.
   */
  async function signInAndAllow(authorizationUrl: URL): Promise<URLSearchParams> {
    const browser = new Browser(server.url)
    const loginPage = await browser.get(authorizationUrl.href)
    expect(loginPage.status, loginPage.text).toBe(200)
    const loginAction = formAction(loginPage.text)
    expect(loginAction, 'the sign-in page has a form').not.toBeNull()
    const loginHidden = hiddenInputs(loginPage.text)
    expect(Object.keys(loginHidden)).toContain('csrf_token')
    expect(loginPage.text).toMatch(/<input [^>]*name="username"/)
    expect(loginPage.text).toMatch(/<input [^>]*name="password"/)

    const login = await browser.post(loginAction ?? '', { ...loginHidden, username, password })
    expect(login.status, login.text).toBe(303)
    expect(browser.cookie('registrar-session'), 'signing in starts a session').not.toBeNull()
    const back = new URL(login.location ?? '', server.url)
    expect(`${back.origin}${back.pathname}`).toBe(`${server.issuer}/authorize`)

    const consentPage = await browser.get(back.href)
    expect(consentPage.status, consentPage.text).toBe(200)
    expect(consentPage.text).toContain('id="unverified-notice"')
    expect(consentPage.text).toMatch(/<button [^>]*name="decision" value="allow"/)
    const consentAction = formAction(consentPage.text)
    expect(consentAction, 'the consent page has a form').not.toBeNull()

    const callback = app.nextCallback()
    const consent = await browser.post(consentAction ?? '', {
      ...hiddenInputs(consentPage.text),
      decision: 'allow',
    })
    expect(consent.status, consent.text).toBe(303)
    const location = consent.location ?? ''
    expect(location.startsWith(`${app.redirectUri}?`), location).toBe(true)
    // Follow the redirect to the client app, as the browser would.
    const landed = await fetch(location, { redirect: 'manual' })
    await landed.body?.cancel()
    expect(landed.status).toBe(200)
    return callback
  }

  it(
    'discovers registrar from the MCP server, registers, runs the code flow with PKCE and resource, and the token opens /mcp',
    async () => {
      // Everything the SDK sends, to see that it really went through registrar's endpoints.
      const sent: { method: string; url: string; status: number }[] = []
      const forms: URLSearchParams[] = []
      const fetchFn = async (url: string | URL, init?: RequestInit): Promise<Response> => {
        const response = await fetch(url, init)
        sent.push({ method: init?.method ?? 'GET', url: String(url), status: response.status })
        if (String(url) === `${server.issuer}/token`)
          forms.push(new URLSearchParams(formBody(init)))
        return response
      }

      // 1. The MCP server without a token: 401 naming its protected resource metadata.
      const serverUrl = mcp.resource
      const anonymous = await fetch(serverUrl, { method: 'POST', body: '{}' })
      expect(anonymous.status).toBe(401)
      const { resourceMetadataUrl } = extractWWWAuthenticateParams(anonymous)
      await anonymous.body?.cancel()
      expect(resourceMetadataUrl?.href).toBe(mcp.metadataUrl)

      // 2. auth(): discovery, dynamic registration, then redirectToAuthorization, where the
      // user signs in and allows; the code comes back to the client app.
      let callback: URLSearchParams | null = null
      const provider = new RecordingProvider(app.redirectUri, async (url) => {
        callback = await signInAndAllow(url)
      })
      const started = await auth(provider, {
        serverUrl,
        ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
        fetchFn,
      })
      expect(started).toBe('REDIRECT')

      // Discovery: RFC 9728 from the MCP server, then RFC 8414 from registrar.
      expect(sent[0]).toEqual({ method: 'GET', url: mcp.metadataUrl, status: 200 })
      expect(sent[1]).toEqual({
        method: 'GET',
        url: `${server.url}/.well-known/oauth-authorization-server`,
        status: 200,
      })
      expect(provider.discovery?.authorizationServerUrl).toBe(server.issuer)
      expect(provider.discovery?.resourceMetadata?.resource).toBe(mcp.resource)
      expect(provider.discovery?.authorizationServerMetadata).toMatchObject({
        issuer: server.issuer,
        authorization_endpoint: `${server.issuer}/authorize`,
        token_endpoint: `${server.issuer}/token`,
        registration_endpoint: `${server.issuer}/register`,
      })

      // Registration (RFC 7591) through registrar's /register, stored as a dynamic client.
      expect(sent[2]).toEqual({ method: 'POST', url: `${server.issuer}/register`, status: 201 })
      const clientId = provider.registered?.client_id
      if (clientId === undefined) throw new Error('the SDK saved no client information')
      const stored = await server.store.getClient(clientId)
      expect(stored?.provenance.origin).toBe('dynamic')
      expect(stored?.metadata).toMatchObject({
        client_name: 'MCP SDK E2E Client',
        redirect_uris: [app.redirectUri],
        token_endpoint_auth_method: 'none',
        // SEP-835: the scope comes from the resource's scopes_supported.
        scope: 'read',
      })

      // The authorization request the SDK built: code, PKCE S256, state, scope, resource.
      expect(provider.authorizationUrls).toHaveLength(1)
      const request = provider.authorizationUrls[0]?.searchParams ?? new URLSearchParams()
      expect(Object.fromEntries(request)).toMatchObject({
        response_type: 'code',
        client_id: clientId,
        code_challenge_method: 'S256',
        redirect_uri: app.redirectUri,
        scope: 'read',
        resource: mcp.resource,
        state: provider.states[0],
      })

      // The redirect: code, the SDK's state and registrar's iss (RFC 9207).
      const received: URLSearchParams | null = callback
      if (received === null) throw new Error('the authorization never reached the client app')
      const params: URLSearchParams = received
      expect(params.get('error'), params.toString()).toBeNull()
      expect(params.getAll('state')).toEqual([provider.states[0]])
      expect(params.getAll('iss')).toEqual([server.issuer])
      const code = params.get('code')
      if (code === null) throw new Error(`no code in ${params.toString()}`)

      // 3. auth() again with the code: the token request (PKCE verifier, resource).
      const finished = await auth(provider, {
        serverUrl,
        authorizationCode: code,
        ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
        fetchFn,
      })
      expect(finished).toBe('AUTHORIZED')
      expect(sent.filter((r) => r.url === `${server.issuer}/register`)).toHaveLength(1)
      expect(sent.at(-1)).toEqual({ method: 'POST', url: `${server.issuer}/token`, status: 200 })
      const tokens = provider.saved
      if (tokens === undefined) throw new Error('the SDK saved no tokens')
      expect(tokens.token_type.toLowerCase()).toBe('bearer')
      expect(typeof tokens.refresh_token).toBe('string')
      // A public client: client_id in the form, the verifier, and the resource again (RFC 8707).
      expect(Object.fromEntries(forms[0] ?? [])).toMatchObject({
        grant_type: 'authorization_code',
        code,
        redirect_uri: app.redirectUri,
        client_id: clientId,
        resource: mcp.resource,
      })
      expect(forms[0]?.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)

      // 4. The access token is for this resource, as registrar tells the resource server.
      const introspection = await introspect(tokens.access_token)
      expect(introspection).toMatchObject({
        active: true,
        client_id: clientId,
        sub: userId,
        username,
        scope: 'read',
        iss: server.issuer,
      })
      const aud = introspection.aud
      expect(typeof aud === 'string' ? [aud] : aud).toContain(mcp.resource)

      // 5. And the MCP server lets it in.
      const authorized = await fetch(serverUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tokens.access_token}` },
        body: '{}',
      })
      expect(authorized.status).toBe(200)
      expect(await authorized.json()).toMatchObject({ ok: true, sub: userId, client_id: clientId })

      // 6. auth() once more, with tokens saved: the SDK refreshes (rotation: a new refresh
      // token), still for this resource, and the new access token opens /mcp too.
      const refreshed = await auth(provider, {
        serverUrl,
        ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
        fetchFn,
      })
      expect(refreshed).toBe('AUTHORIZED')
      expect(sent.at(-1)).toEqual({ method: 'POST', url: `${server.issuer}/token`, status: 200 })
      expect(Object.fromEntries(forms[1] ?? [])).toMatchObject({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        resource: mcp.resource,
      })
      const renewed = provider.saved
      expect(renewed?.access_token).not.toBe(tokens.access_token)
      expect(renewed?.refresh_token).not.toBe(tokens.refresh_token)
      const renewedCall = await fetch(serverUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${renewed?.access_token ?? ''}` },
        body: '{}',
      })
      await renewedCall.body?.cancel()
      expect(renewedCall.status).toBe(200)

      // A token that is not registrar's is turned away with invalid_token.
      const forged = await fetch(serverUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
        body: '{}',
      })
      await forged.body?.cancel()
      expect(forged.status).toBe(401)
      expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"')
    },
    TIMEOUT,
  )
})

/** The form the SDK posted, whatever body type it used. */
function formBody(init: RequestInit | undefined): string {
  const body = init?.body
  if (typeof body === 'string') return body
  if (body instanceof URLSearchParams) return body.toString()
  throw new Error(`unexpected token request body: ${typeof body}`)
}
