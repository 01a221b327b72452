import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { PageResult } from '../support/browser.js'
import { Browser, formAction, hiddenInputs, pkcePair, redirectParams } from '../support/browser.js'
import type { ServeProcess } from '../support/cli.js'
import { assertBuilt, runCli, serveCli } from '../support/cli.js'
import { putClient, readClient } from '../support/client-configuration.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError } from '../support/http-helpers.js'
import type { TestSchema } from '../support/postgres.js'
import { adminQuery, describePostgres, testSchema } from '../support/postgres.js'
import { basic, postForm, stringMember } from '../support/token-helpers.js'

/**
 * The one issuer of the three instances. In production it is the load balancer's address
 * (`https://auth.example.com`); here it is a loopback URL nothing listens on, since registrar
 * never calls its own issuer, it only names it: in discovery, registration_client_uri, the
 * redirects to its own pages, `iss` (RFC 9207), introspection answers, and the Origin every form
 * POST must carry. Instances with an issuer each (their own URL, the default) would be three
 * servers, not one behind a load balancer: their redirects, Origin checks and `iss` would
 * disagree. So each test plays the load balancer itself: it picks the instance for every
 * request and sends there what the browser or client addressed to the issuer (see `via`).
 */
const ISSUER = 'http://localhost:1'
const ISSUER_ORIGIN = new URL(ISSUER).origin

/** The user `registrar user add` creates on the shared schema before the flows run. */
const USERNAME = 'alice'
const PASSWORD = 'correct horse battery staple'
/** The session cookie's name on an http (loopback) issuer: no `__Host-` prefix. */
const SESSION = 'registrar-session'

/** The resource server `registrar client create --resource-server` makes to introspect. */
const RESOURCE = 'https://api.example.com/'

/** A public CLI app: no secret, a loopback redirect on any port (RFC 8252 §7.3). */
const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback'
const PUBLIC_APP = {
  client_name: 'CLI App',
  redirect_uris: [LOOPBACK_REDIRECT],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'read write',
} as const

/**
 * A confidential web app with an https redirect: its identity is assured, so a remembered
 * consent answers for the user (RFC 8252 §8.6 makes a loopback public client ask every time).
 */
const WEB_REDIRECT = 'https://app.example.com/cb'
const WEB_APP = {
  client_name: 'Web App',
  redirect_uris: [WEB_REDIRECT],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'read write',
} as const

/**
 * Three real `registrar serve` processes on one PostgreSQL schema and one issuer, as behind a
 * load balancer. Each test sends from its own X-Forwarded-For address (the config trusts one
 * proxy hop), so the per-address rate limit of one test never touches another's.
 *
 * What must hold whichever instance a request lands on (issue #5): a registration made on one
 * is read and updated through the others (RFC 7592); a session started on one signs the user in
 * on the others, and a consent given on one is remembered by the others; an authorization code
 * or a refresh token used on one is used for all, so a replay elsewhere is refused and revokes
 * the grant, and of concurrent redemptions on all three exactly one wins; the registration rate
 * limit is shared. One cookie jar serves the three instances, as one browser sees only the
 * issuer's origin (cookies ignore ports anyway).
 *
 * Tokens are checked by introspection (RFC 7662), which needs an authenticated confidential
 * caller: a confidential client introspects its own tokens, access and refresh; the public
 * client's access token is introspected by a resource server an administrator created with
 * `registrar client create --resource-server`, as a protected resource would.
 *
 * Not covered here: a private_key_jwt assertion's jti replayed on another instance; the store's
 * single use of a jti is covered by the contract suite on PostgreSQL.
 */
describePostgres('three instances behind one load balancer, one PostgreSQL database', () => {
  let dir: string
  let schema: TestSchema
  let servers: ServeProcess[] = []
  /** The resource server's credentials, for introspecting access tokens issued for RESOURCE. */
  let resourceServer: Record<string, string>

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'registrar-multi-'))
    schema = testSchema()
    const config = join(dir, 'registrar.json')
    await writeFile(
      config,
      JSON.stringify({
        trustProxyHops: 1,
        registration: { rateLimit: { max: 20, windowSeconds: 3600 } },
      }),
    )
    // Started together on a fresh schema: all three reach the migrations at the same moment.
    servers = await Promise.all(
      Array.from({ length: 3 }, () =>
        serveCli(['--port', '0', '--issuer', ISSUER, '--database', schema.url, '--config', config]),
      ),
    )
    // The administrator's side, straight into the shared schema: the user and the resource
    // server exist in the database only, and no instance has been told about either.
    const added = await runCli(
      ['user', 'add', USERNAME, '--password-stdin', '--database', schema.url],
      `${PASSWORD}\n`,
    )
    if (added.code !== 0) throw new Error(`user add failed: ${added.stderr}`)
    const created = await runCli([
      'client',
      'create',
      '--name',
      'rs',
      '--grant-type',
      'client_credentials',
      '--auth-method',
      'client_secret_basic',
      '--resource-server',
      RESOURCE,
      '--database',
      schema.url,
    ])
    if (created.code !== 0) throw new Error(`client create failed: ${created.stderr}`)
    const rs = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
    resourceServer = basic(rs.client_id, rs.client_secret)
  }, 60_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    await schema?.drop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  /** The three instances, named for the order they are listed in. */
  function trio(): readonly [ServeProcess, ServeProcess, ServeProcess] {
    const [first, second, third] = servers
    if (first === undefined || second === undefined || third === undefined) {
      throw new Error('servers did not start')
    }
    return [first, second, third]
  }

  /**
   * What the load balancer does: `url` (absolute under the issuer, or a path such as a form's
   * action) sent to the instance chosen.
   */
  function via(server: ServeProcess, url: string): string {
    const target = new URL(url, ISSUER)
    if (target.origin !== ISSUER_ORIGIN) throw new Error(`not under the issuer: ${url}`)
    return `${server.url}${target.pathname}${target.search}`
  }

  /** A browser whose form POSTs carry the issuer's Origin, as the login page's would. */
  function browser(): Browser {
    return new Browser(ISSUER_ORIGIN)
  }

  /** Posts the login form of `page` to `server` with the CLI user's credentials. */
  function submitLogin(browser: Browser, server: ServeProcess, page: PageResult) {
    return browser.post(via(server, formAction(page.text) ?? ''), {
      ...hiddenInputs(page.text),
      username: USERNAME,
      password: PASSWORD,
    })
  }

  /** Posts `allow` on the consent form of `page` to `server`. */
  function allow(browser: Browser, server: ServeProcess, page: PageResult) {
    return browser.post(via(server, formAction(page.text) ?? ''), {
      ...hiddenInputs(page.text),
      decision: 'allow',
    })
  }

  /** Signs the CLI user in on `server`'s own login page (no authorization pending). */
  async function signIn(browser: Browser, server: ServeProcess): Promise<void> {
    const page = await browser.get(via(server, '/login'))
    expect(page.status, page.text).toBe(200)
    const signedIn = await submitLogin(browser, server, page)
    expect(signedIn.status, signedIn.text).toBe(303)
    expect(browser.cookie(SESSION)).not.toBeNull()
  }

  function isConsentPage(result: PageResult): boolean {
    return result.status === 200 && result.text.includes('name="decision" value="allow"')
  }

  it('all three start together on a fresh schema, and exactly one of them migrates it', () => {
    const migrated = servers.filter((server) => server.stderr().includes('"database migrated"'))
    expect(migrated).toHaveLength(1)
  })

  it('every instance is ready', async () => {
    for (const server of servers) {
      const response = await fetch(`${server.url}/readyz`)
      expect(response.status, server.url).toBe(200)
    }
  })

  it('a client registered through the first instance is shown by `registrar client show`, read and updated through the second, and read back through the third', async () => {
    const [first, second, third] = trio()
    const client = await registerClient(first, '198.51.100.1', PUBLIC_APP)

    // `--` before the id: a base64url client_id may begin with '-'.
    const shown = await runCli(['client', 'show', '--database', schema.url, '--', client.clientId])
    expect(shown.code, shown.stderr).toBe(0)
    const described = JSON.parse(shown.stdout) as Record<string, Record<string, unknown>>
    expect(described.client_id).toBe(client.clientId)
    expect(described.metadata).toMatchObject({ client_name: 'CLI App' })

    // The configuration URI names the issuer, not the instance that registered the client.
    expect(client.uri).toBe(`${ISSUER}/register/${client.clientId}`)
    // RFC 7592 §2.1: the second instance has never seen this client but in the database.
    const read = await readClient(via(second, client.uri), client.token)
    expect(read.status, read.text).toBe(200)
    expect(read.json).toMatchObject({
      client_id: client.clientId,
      client_name: 'CLI App',
      token_endpoint_auth_method: 'none',
      redirect_uris: [LOOPBACK_REDIRECT],
    })

    // RFC 7592 §2.2: a full replacement through the second instance.
    const otherRedirect = 'http://127.0.0.1/other'
    const updated = await putClient(via(second, client.uri), client.token, {
      ...PUBLIC_APP,
      client_id: client.clientId,
      client_name: 'CLI App, renamed',
      redirect_uris: [LOOPBACK_REDIRECT, otherRedirect],
    })
    expect(updated.status, updated.text).toBe(200)
    expect(updated.json).toMatchObject({ client_name: 'CLI App, renamed' })
    // Rotation on update (the default): the new token is the one that works from now on.
    const rotated = stringMember(updated, 'registration_access_token')
    expect(rotated).not.toBe(client.token)

    const readBack = await readClient(via(third, client.uri), rotated)
    expect(readBack.status, readBack.text).toBe(200)
    expect(readBack.json).toMatchObject({
      client_id: client.clientId,
      client_name: 'CLI App, renamed',
      redirect_uris: [LOOPBACK_REDIRECT, otherRedirect],
    })
    // The rotation is shared too: the third instance refuses the token the second retired.
    const stale = await readClient(via(third, client.uri), client.token)
    expect({ status: stale.status, error: stale.json?.error }).toEqual({
      status: 401,
      error: 'invalid_token',
    })
  })

  it('sign in on the second, consent and redeem the code on the third; the code replayed on the first is refused and revokes the grant', async () => {
    const [first, second, third] = trio()
    const client = await registerClient(first, '198.51.100.2', PUBLIC_APP)
    const request = authorizationRequest(client.clientId, LOOPBACK_REDIRECT, {
      resource: RESOURCE,
    })
    const b = browser()

    // Nobody is signed in: the second instance shows its login page for the pending request.
    const login = await b.get(via(second, request.path))
    expect(login.status, login.text).toBe(200)
    expect(formAction(login.text)).toBe('/login')
    const signedIn = await submitLogin(b, second, login)
    expect(signedIn.status, signedIn.text).toBe(303)
    expect(b.cookie(SESSION)).not.toBeNull()
    // Back to the pending request, at the issuer: the load balancer sends it to the third.
    expect(signedIn.location?.startsWith(`${ISSUER}/authorize?`)).toBe(true)

    // The session the second instance started signs the user in on the third: consent, not login.
    const consent = await b.get(via(third, signedIn.location ?? ''))
    expect(isConsentPage(consent), consent.text).toBe(true)
    const allowed = await allow(b, third, consent)
    const code = codeOf(allowed, LOOPBACK_REDIRECT, request.state)

    const exchange = {
      grant_type: 'authorization_code',
      code,
      code_verifier: request.verifier,
      redirect_uri: LOOPBACK_REDIRECT,
      client_id: client.clientId,
    }
    const redeemed = await postForm(via(third, '/token'), exchange)
    expect(redeemed.status, redeemed.text).toBe(200)
    expect(redeemed.json).toMatchObject({ token_type: 'Bearer', scope: 'read write' })
    const accessToken = stringMember(redeemed, 'access_token')
    const refreshToken = stringMember(redeemed, 'refresh_token')

    // The resource server sees the token through the first instance, issued for the user.
    const before = await introspect(first, resourceServer, accessToken)
    expect(before.json, before.text).toMatchObject({
      active: true,
      client_id: client.clientId,
      username: USERNAME,
      scope: 'read write',
      iss: ISSUER,
    })

    // The same code, the same client and verifier, on the first instance: used already.
    const replayed = await postForm(via(first, '/token'), exchange)
    expectOAuthError(replayed, 400, 'invalid_grant')

    // RFC 6749 §4.1.2: the replay revoked what the code had earned, on every instance.
    const after = await introspect(second, resourceServer, accessToken)
    expect(after.json, after.text).toEqual({ active: false })
    const refreshed = await postForm(via(second, '/token'), {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
    })
    expectOAuthError(refreshed, 400, 'invalid_grant')
  })

  it('a consent given on the third instance is remembered on the first: the same request by the same session gets a code without asking', async () => {
    const [first, second, third] = trio()
    const client = await registerClient(second, '198.51.100.3', WEB_APP)
    const b = browser()
    await signIn(b, second)

    const firstRequest = authorizationRequest(client.clientId, WEB_REDIRECT)
    const consent = await b.get(via(third, firstRequest.path))
    expect(isConsentPage(consent), consent.text).toBe(true)
    codeOf(await allow(b, third, consent), WEB_REDIRECT, firstRequest.state)

    // Same client, same scope, same session, another instance: straight back to the client.
    const again = authorizationRequest(client.clientId, WEB_REDIRECT)
    const answered = await b.get(via(first, again.path))
    expect(isConsentPage(answered)).toBe(false)
    expect(answered.status, answered.text).toBe(302)
    const code = codeOf(answered, WEB_REDIRECT, again.state)

    // The code issued without asking is a real one: the second instance redeems it.
    const redeemed = await postForm(
      via(second, '/token'),
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: again.verifier,
        redirect_uri: WEB_REDIRECT,
      },
      client.auth,
    )
    expect(redeemed.status, redeemed.text).toBe(200)
    expect(redeemed.json).toMatchObject({ token_type: 'Bearer', scope: 'read write' })
  })

  it('a refresh token rotated on the second instance and presented again on the third is refused, and the newest one is revoked with its grant', async () => {
    const [first, second, third] = trio()
    const client = await registerClient(first, '198.51.100.4', WEB_APP)
    const b = browser()
    await signIn(b, first)
    const tokens = await redeemFreshCode(b, first, client)
    const original = stringMember(tokens, 'refresh_token')

    const refresh = (server: ServeProcess, refreshToken: string) =>
      postForm(
        via(server, '/token'),
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        client.auth,
      )
    const rotated = await refresh(second, original)
    expect(rotated.status, rotated.text).toBe(200)
    const newest = stringMember(rotated, 'refresh_token')
    const newestAccess = stringMember(rotated, 'access_token')
    expect(newest).not.toBe(original)
    const live = await introspect(third, client.auth, newest)
    expect(live.json, live.text).toMatchObject({ active: true, token_type: 'refresh_token' })

    // The third instance knows the original was spent on the second: reuse (RFC 9700 §4.14.2).
    const reused = await refresh(third, original)
    expectOAuthError(reused, 400, 'invalid_grant')

    // The whole family went with it: the newest refresh token and its access token, everywhere.
    expect((await introspect(first, client.auth, newest)).json).toEqual({ active: false })
    expect((await introspect(second, client.auth, newestAccess)).json).toEqual({ active: false })
    expectOAuthError(await refresh(first, newest), 400, 'invalid_grant')
  })

  it('ten concurrent redemptions of one code, spread over the three instances: exactly one succeeds', async () => {
    const [, second, third] = trio()
    const client = await registerClient(third, '198.51.100.5', WEB_APP)
    const b = browser()
    await signIn(b, third)
    const request = authorizationRequest(client.clientId, WEB_REDIRECT)
    const consent = await b.get(via(second, request.path))
    expect(isConsentPage(consent), consent.text).toBe(true)
    const code = codeOf(await allow(b, second, consent), WEB_REDIRECT, request.state)

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const server = servers[i % servers.length]
        if (server === undefined) throw new Error('servers did not start')
        return postForm(
          via(server, '/token'),
          {
            grant_type: 'authorization_code',
            code,
            code_verifier: request.verifier,
            redirect_uri: WEB_REDIRECT,
          },
          client.auth,
        )
      }),
    )
    const won = results.filter((result) => result.status === 200)
    expect(won, results.map((r) => `${r.status} ${r.text}`).join('\n')).toHaveLength(1)
    for (const lost of results.filter((result) => result.status !== 200)) {
      expectOAuthError(lost, 400, 'invalid_grant')
    }

    // The losers were valid replays (same client, right verifier), each seeing the code used
    // only once the winner's tokens were committed: they revoked those tokens (RFC 6749 §4.1.2).
    const [winner] = won
    if (winner === undefined) throw new Error('no redemption succeeded')
    for (const name of ['access_token', 'refresh_token']) {
      const state = await introspect(second, client.auth, stringMember(winner, name))
      expect(state.json, `${name}: ${state.text}`).toEqual({ active: false })
    }
    // And in the database: one pair of tokens was ever issued for this client, both revoked.
    const rows = await adminQuery<{ kind: string; revoked: boolean }>(
      `select kind, revoked_at is not null as revoked from ${schema.name}.tokens
        where client_id = $1 order by kind`,
      [client.clientId],
    )
    expect(rows).toEqual([
      { kind: 'access', revoked: true },
      { kind: 'refresh', revoked: true },
    ])
  })

  it('the registration rate limit is shared: of 25 registrations spread over the three, exactly 20 succeed', async () => {
    const address = '203.0.113.7'
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => {
        const server = servers[i % servers.length]
        if (server === undefined) throw new Error('servers did not start')
        return register(server.url, address, { client_name: `Client ${i}` })
      }),
    )
    const statuses = results.map((result) => result.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(20)
    expect(statuses.filter((status) => status === 429)).toHaveLength(5)
    for (const refused of results.filter((result) => result.status === 429)) {
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    }
    const [row] = await adminQuery<{ count: string }>(
      `select count(*) as count from ${schema.name}.clients where created_ip = $1`,
      [address],
    )
    expect(row?.count).toBe('20')
  })

  it('SIGTERM stops each instance cleanly: exit 0, pool closed', async () => {
    const codes = await Promise.all(servers.map((server) => server.stop()))
    servers = []
    expect(codes).toEqual([0, 0, 0])
  })

  /** POST /introspect on `server`, authenticated by `credentials` (a Basic header). */
  function introspect(
    server: ServeProcess,
    credentials: Readonly<Record<string, string>>,
    token: string,
  ): Promise<HttpResult> {
    return postForm(via(server, '/introspect'), { token }, credentials)
  }

  /** Authorizes `client` through `server` for the signed-in browser, and redeems the code there. */
  async function redeemFreshCode(
    b: Browser,
    server: ServeProcess,
    client: RegisteredClient,
  ): Promise<HttpResult> {
    const request = authorizationRequest(client.clientId, WEB_REDIRECT)
    const consent = await b.get(via(server, request.path))
    expect(isConsentPage(consent), consent.text).toBe(true)
    const code = codeOf(await allow(b, server, consent), WEB_REDIRECT, request.state)
    const redeemed = await postForm(
      via(server, '/token'),
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: request.verifier,
        redirect_uri: WEB_REDIRECT,
      },
      client.auth,
    )
    expect(redeemed.status, redeemed.text).toBe(200)
    return redeemed
  }
})

interface RegisteredClient {
  readonly clientId: string
  /** registration_access_token and registration_client_uri, as the 201 gave them. */
  readonly token: string
  readonly uri: string
  /** The headers that authenticate the client at the token endpoint: Basic, or none. */
  readonly auth: Readonly<Record<string, string>>
}

/** Registers `metadata` through `server`, failing unless the answer is a 201. */
async function registerClient(
  server: ServeProcess,
  forwardedFor: string,
  metadata: Readonly<Record<string, unknown>>,
): Promise<RegisteredClient> {
  const result = await register(server.url, forwardedFor, metadata)
  if (result.status !== 201) {
    throw new Error(`registration failed: ${result.status} ${JSON.stringify(result.body)}`)
  }
  const { client_id, client_secret, registration_access_token, registration_client_uri } =
    result.body
  if (
    typeof client_id !== 'string' ||
    typeof registration_access_token !== 'string' ||
    typeof registration_client_uri !== 'string'
  ) {
    throw new Error(`incomplete registration answer: ${JSON.stringify(result.body)}`)
  }
  return {
    clientId: client_id,
    token: registration_access_token,
    uri: registration_client_uri,
    auth: typeof client_secret === 'string' ? basic(client_id, client_secret) : {},
  }
}

/** An authorization request (path and query under the issuer) with a fresh PKCE pair and state. */
function authorizationRequest(
  clientId: string,
  redirectUri: string,
  extra: Readonly<Record<string, string>> = {},
): { readonly path: string; readonly verifier: string; readonly state: string } {
  const { verifier, challenge } = pkcePair()
  const state = randomBytes(8).toString('base64url')
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'read write',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  })
  return { path: `/authorize?${query}`, verifier, state }
}

/**
 * The code of an authorization response sent to `redirectUri` (never followed), after checking
 * its state and that `iss` is the shared issuer whichever instance answered (RFC 9207).
 */
function codeOf(result: PageResult, redirectUri: string, state: string): string {
  expect([302, 303], result.text).toContain(result.status)
  expect(result.location?.startsWith(`${redirectUri}?`), result.location ?? '').toBe(true)
  const params = redirectParams(result.location)
  expect(params.get('state')).toBe(state)
  expect(params.get('iss')).toBe(ISSUER)
  const code = params.get('code')
  if (code === null) throw new Error(`no code in ${result.location}`)
  return code
}

async function register(
  url: string,
  forwardedFor: string,
  metadata: Readonly<Record<string, unknown>>,
): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], ...metadata }),
  })
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  }
}
