// The servers under test and what each workload sends them. Every target is started as a
// process of its own on SERVER_CPU, with fresh state (a new SQLite file, a new PostgreSQL
// schema, a new in-memory provider), and prepared for the workloads before it is measured.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pinned, run, SERVER_CPU, startServer } from './proc.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const REGISTRAR_BIN = join(ROOT, 'bin/registrar.js')
export const HEAP_PROBE = join(ROOT, 'bench/heap-probe.mjs')
const BASELINE = join(ROOT, 'bench/servers/baseline.mjs')
const OIDC_PROVIDER = join(ROOT, 'bench/servers/oidc-provider.mjs')

/** The W1 registration body of issue #6, the same for every target. */
export const W1_BODY = JSON.stringify({
  client_name: 'Bench App',
  redirect_uris: ['https://app.example.com/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'read',
})
const REDIRECT_URI = 'https://app.example.com/callback'
const BENCH_USER = 'bench'
const BENCH_PASSWORD = 'bench-password-0123456789'

export const TARGET_NAMES = /** @type {const} */ ([
  'b0',
  'registrar-sqlite',
  'registrar-postgres',
  'oidc-provider',
])
/** @typedef {typeof TARGET_NAMES[number]} TargetName */

export const WORKLOADS = /** @type {const} */ (['W1', 'W2', 'W3', 'W4', 'W5'])
/** @typedef {typeof WORKLOADS[number]} Workload */

export const WORKLOAD_TITLES = /** @type {Record<Workload, string>} */ ({
  W1: 'POST /register → 201',
  W2: 'client_credentials token (client_secret_basic) → 200',
  W3: 'RFC 7592 GET of the registration → 200',
  W4: 'GET discovery metadata → 200',
  W5: 'authorize (remembered consent) → 302 + code → token → 200',
})

/** The workloads each target answers; W5 needs a user, a session and consent: registrar only. */
export const TARGET_WORKLOADS = /** @type {Record<TargetName, readonly Workload[]>} */ ({
  b0: ['W1', 'W2', 'W3', 'W4'],
  'registrar-sqlite': ['W1', 'W2', 'W3', 'W4', 'W5'],
  'registrar-postgres': ['W1', 'W2', 'W3', 'W4', 'W5'],
  'oidc-provider': ['W1', 'W2', 'W3', 'W4'],
})

/**
 * A target that is up. `prepare(workload)` makes what the workload needs (a registration to
 * read, a signed-in session) right before it is measured, and tells the load generator what to
 * send. Just in time, because oidc-provider's in-memory adapter is an LRU of 1,000 entries: a
 * registration made before W1's thousands would be gone by W3.
 * @typedef {object} RunningTarget
 * @property {TargetName} name
 * @property {string} origin
 * @property {number} pid
 * @property {(workload: Workload) => Promise<import('./load.mjs').RequestSpec>} prepare
 * @property {() => string} stderr
 * @property {() => Promise<void>} stop stops the server and removes its state
 */

/**
 * @typedef {object} StartOptions
 * @property {import('./proc.mjs').Pinning} pinning
 * @property {readonly Workload[]} workloads the ones that will be measured (W5 needs more setup)
 * @property {string | undefined} databaseUrl TEST_DATABASE_URL, for registrar-postgres
 * @property {readonly string[]} [nodeFlags] extra flags for the registrar process (heap probe, --cpu-prof)
 * @property {number | string} [cpu] where the server runs when pinning is on (default SERVER_CPU)
 * @property {NodeJS.ProcessEnv} [env]
 */

/**
 * @param {TargetName} name
 * @param {StartOptions} options
 * @returns {Promise<RunningTarget>}
 */
export function startTarget(name, options) {
  switch (name) {
    case 'b0':
      return startBaseline(options)
    case 'registrar-sqlite':
    case 'registrar-postgres':
      return startRegistrar(name, options)
    case 'oidc-provider':
      return startOidcProvider(options)
  }
}

/** @param {string} id @param {string} secret */
function basic(id, secret) {
  // RFC 6749 §2.3.1: form-urlencode each part, then Base64.
  const encode = (/** @type {string} */ s) => new URLSearchParams({ s }).toString().slice(2)
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

/**
 * @typedef {object} Endpoints
 * @property {string} register path of RFC 7591 registration
 * @property {string} token
 * @property {string} discovery
 * @property {() => Promise<{ uri: string, token: string }>} registration a fresh RFC 7592 registration for W3
 */

/**
 * W1 to W4, the workloads every target answers.
 * @param {Workload} workload
 * @param {Endpoints} endpoints
 * @param {{ id: string, secret: string }} ccClient the client allowed client_credentials
 * @returns {Promise<import('./load.mjs').RequestSpec>}
 */
async function commonSpec(workload, endpoints, ccClient) {
  switch (workload) {
    case 'W1':
      return {
        mode: 'static',
        method: 'POST',
        path: endpoints.register,
        headers: { 'Content-Type': 'application/json' },
        body: W1_BODY,
        expect: [201],
      }
    case 'W2':
      return {
        mode: 'static',
        method: 'POST',
        path: endpoints.token,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic(ccClient.id, ccClient.secret),
        },
        body: 'grant_type=client_credentials',
        expect: [200],
      }
    case 'W3': {
      const registration = await endpoints.registration()
      return {
        mode: 'static',
        method: 'GET',
        path: new URL(registration.uri).pathname,
        headers: { Authorization: `Bearer ${registration.token}` },
        expect: [200],
      }
    }
    case 'W4':
      return {
        mode: 'static',
        method: 'GET',
        path: endpoints.discovery,
        headers: {},
        expect: [200],
      }
    case 'W5':
      throw new Error('W5 runs on registrar only')
  }
}

/**
 * @param {string} origin
 * @param {string} path
 * @returns {Promise<Record<string, unknown>>}
 */
async function register(origin, path) {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: W1_BODY,
  })
  const text = await response.text()
  if (response.status !== 201) throw new Error(`registration answered ${response.status}: ${text}`)
  return JSON.parse(text)
}

/** @param {Record<string, unknown>} client */
function registrationOf(client) {
  const uri = client.registration_client_uri
  const token = client.registration_access_token
  if (typeof uri !== 'string' || typeof token !== 'string') {
    throw new Error(`no RFC 7592 registration in ${JSON.stringify(client)}`)
  }
  return { uri, token }
}

/** @param {StartOptions} options @returns {Promise<RunningTarget>} */
async function startBaseline(options) {
  const server = await startServer(
    pinned(options.pinning, SERVER_CPU, [process.execPath, BASELINE]),
    { label: 'B0' },
  )
  /** @type {Endpoints} */
  const endpoints = {
    register: '/register',
    token: '/token',
    discovery: '/.well-known/oauth-authorization-server',
    registration: async () => ({ uri: `${server.url}/register/b0-client`, token: 'b0-token' }),
  }
  // B0 answers a POST of JSON with 201 and anything else with 200, whatever the path.
  return {
    name: 'b0',
    origin: server.url,
    pid: server.pid,
    prepare: (workload) => commonSpec(workload, endpoints, { id: 'b0', secret: 'b0-secret' }),
    stderr: server.stderr,
    stop: async () => {
      await server.stop()
    },
  }
}

/** @param {StartOptions} options @returns {Promise<RunningTarget>} */
async function startOidcProvider(options) {
  const ccClient = { id: 'bench-cc', secret: randomBytes(24).toString('base64url') }
  const server = await startServer(
    pinned(options.pinning, SERVER_CPU, [process.execPath, OIDC_PROVIDER]),
    {
      label: 'oidc-provider',
      env: { BENCH_CC_CLIENT_ID: ccClient.id, BENCH_CC_CLIENT_SECRET: ccClient.secret },
    },
  )
  /** @type {Endpoints} */
  const endpoints = {
    register: '/reg',
    token: '/token',
    discovery: '/.well-known/openid-configuration',
    registration: async () => registrationOf(await register(server.url, '/reg')),
  }
  return {
    name: 'oidc-provider',
    origin: server.url,
    pid: server.pid,
    prepare: (workload) => commonSpec(workload, endpoints, ccClient),
    stderr: server.stderr,
    stop: async () => {
      await server.stop()
    },
  }
}

/**
 * registrar as shipped: `registrar serve` on SQLite (file, WAL, synchronous=FULL) or on a fresh
 * PostgreSQL schema, with registration rate limiting off. The client_credentials client and
 * the user for W5 are made with the CLI on the same database before serving.
 * @param {'registrar-sqlite' | 'registrar-postgres'} name
 * @param {StartOptions} options
 * @returns {Promise<RunningTarget>}
 */
async function startRegistrar(name, options) {
  const dir = await mkdtemp(join(tmpdir(), 'registrar-bench-'))
  /** @type {string} */
  let database
  /** @type {() => Promise<void>} */
  let dropDatabase = async () => {}
  if (name === 'registrar-sqlite') {
    database = `sqlite:${join(dir, 'registrar.db')}`
  } else {
    if (options.databaseUrl === undefined)
      throw new Error('registrar-postgres needs TEST_DATABASE_URL')
    const schema = `registrar_bench_${randomBytes(6).toString('hex')}`
    const url = new URL(options.databaseUrl)
    url.searchParams.set('schema', schema)
    database = url.toString()
    const adminUrl = options.databaseUrl
    dropDatabase = () => dropSchema(adminUrl, schema)
  }
  const config = join(dir, 'registrar.json')
  await writeFile(config, JSON.stringify({ registration: { rateLimit: false } }))
  const common = ['--database', database, '--config', config]
  const cleanUp = async () => {
    await dropDatabase()
    await rm(dir, { recursive: true, force: true })
  }

  /** @type {Awaited<ReturnType<typeof startServer>> | undefined} */
  let server
  try {
    const created = await run(process.execPath, [
      REGISTRAR_BIN,
      'client',
      'create',
      '--name',
      'bench',
      '--grant-type',
      'client_credentials',
      '--auth-method',
      'client_secret_basic',
      ...common,
    ])
    if (created.code !== 0) throw new Error(`registrar client create failed:\n${created.stderr}`)
    /** @type {{ client_id: string, client_secret: string }} */
    const cc = JSON.parse(created.stdout)
    if (options.workloads.includes('W5')) {
      const added = await run(
        process.execPath,
        [REGISTRAR_BIN, 'user', 'add', BENCH_USER, '--password-stdin', ...common],
        { input: BENCH_PASSWORD },
      )
      if (added.code !== 0) throw new Error(`registrar user add failed:\n${added.stderr}`)
    }
    server = await startServer(
      pinned(options.pinning, options.cpu ?? SERVER_CPU, [
        process.execPath,
        ...(options.nodeFlags ?? []),
        REGISTRAR_BIN,
        'serve',
        '--port',
        '0',
        '--log-level',
        'warn',
        ...common,
      ]),
      { label: name, ...(options.env === undefined ? {} : { env: options.env }) },
    )
    const origin = server.url
    /** @type {Endpoints} */
    const endpoints = {
      register: '/register',
      token: '/token',
      discovery: '/.well-known/oauth-authorization-server',
      registration: async () => registrationOf(await register(origin, '/register')),
    }
    const ccClient = { id: cc.client_id, secret: cc.client_secret }
    const running = server
    return {
      name,
      origin,
      pid: running.pid,
      prepare: (workload) =>
        workload === 'W5'
          ? prepareAuthorizationCode(origin)
          : commonSpec(workload, endpoints, ccClient),
      stderr: running.stderr,
      stop: async () => {
        await running.stop()
        await cleanUp()
      },
    }
  } catch (error) {
    await server?.stop()
    await cleanUp()
    throw error
  }
}

/**
 * @param {string} databaseUrl
 * @param {string} schema
 */
async function dropSchema(databaseUrl, schema) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}

/** The PostgreSQL server's version string, for the report. @param {string} databaseUrl */
export async function postgresVersion(databaseUrl) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    const { rows } = await client.query('show server_version')
    return String(rows[0]?.server_version ?? 'unknown')
  } finally {
    await client.end()
  }
}

/**
 * W5's fixture: a confidential client (https redirect, so consent is remembered), a browser
 * session signed in as the bench user, and consent given once. Afterwards every
 * GET /authorize with the session cookie answers 302 with a code at once. One PKCE pair serves
 * every iteration (each code is bound to the same challenge). Checks one round trip end to end.
 * @param {string} origin
 * @returns {Promise<import('./load.mjs').RequestSpec>}
 */
async function prepareAuthorizationCode(origin) {
  const client = await register(origin, '/register')
  const clientId = String(client.client_id)
  const clientSecret = String(client.client_secret)
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const authorizePath = `/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    state: 'bench',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`
  const browser = new CookieBrowser(origin)

  const login = await browser.get(authorizePath)
  if (login.status !== 200) throw new Error(`W5: the login page answered ${login.status}`)
  const signedIn = await browser.post(formAction(login.text), {
    ...hiddenInputs(login.text),
    username: BENCH_USER,
    password: BENCH_PASSWORD,
  })
  if (signedIn.status !== 303 || signedIn.location === null) {
    throw new Error(`W5: sign-in answered ${signedIn.status}: ${signedIn.text.slice(0, 300)}`)
  }
  const consent = await browser.get(signedIn.location)
  if (consent.status !== 200) throw new Error(`W5: the consent page answered ${consent.status}`)
  const allowed = await browser.post(formAction(consent.text), {
    ...hiddenInputs(consent.text),
    decision: 'allow',
  })
  if (codeIn(allowed.location) === null) {
    throw new Error(`W5: consent answered ${allowed.status} without a code`)
  }

  const headers = { Cookie: browser.cookieHeader() }
  const tokenHeaders = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: basic(clientId, clientSecret),
  }
  const tokenBody = `${new URLSearchParams({
    grant_type: 'authorization_code',
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  })}&code=`

  // One iteration as the load generator will run it: remembered consent, code, token.
  const again = await fetch(`${origin}${authorizePath}`, { headers, redirect: 'manual' })
  const code = codeIn(again.headers.get('location'))
  if (again.status !== 302 || code === null) {
    throw new Error(
      `W5: remembered consent answered ${again.status}, Location ${again.headers.get('location')}`,
    )
  }
  const token = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: tokenHeaders,
    body: tokenBody + code,
  })
  if (token.status !== 200)
    throw new Error(`W5: the token request answered ${token.status}: ${await token.text()}`)
  return {
    mode: 'authcode',
    authorizePath,
    headers,
    tokenPath: '/token',
    tokenHeaders,
    tokenBody,
    expect: [200, 302],
  }
}

/** @param {string | null} location */
function codeIn(location) {
  if (location === null) return null
  return new URL(location).searchParams.get('code')
}

/** The action of the page's first form. @param {string} page */
function formAction(page) {
  const match = /<form method="post" action="([^"]*)">/.exec(page)
  if (match?.[1] === undefined) throw new Error(`W5: no form in ${page.slice(0, 300)}`)
  return unescapeHtml(match[1])
}

/** The hidden inputs of a page (CSRF token, pending request), unescaped. @param {string} page */
function hiddenInputs(page) {
  /** @type {Record<string, string>} */
  const out = {}
  for (const match of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    out[unescapeHtml(match[1] ?? '')] = unescapeHtml(match[2] ?? '')
  }
  return out
}

/** @param {string} text */
function unescapeHtml(text) {
  /** @type {Record<string, string>} */
  const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" }
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
}

/** Just enough of a browser for the sign-in and consent pages: cookies, Origin on POST. */
class CookieBrowser {
  /** @param {string} origin */
  constructor(origin) {
    this.origin = origin
    /** @type {Map<string, string>} */
    this.cookies = new Map()
  }

  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** @param {string} url */
  get(url) {
    return this.send(url, { method: 'GET', headers: {} })
  }

  /** @param {string} url @param {Record<string, string>} form */
  post(url, form) {
    return this.send(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: this.origin },
      body: new URLSearchParams(form).toString(),
    })
  }

  /**
   * @param {string} url
   * @param {{ method: string, headers: Record<string, string>, body?: string }} init
   */
  async send(url, init) {
    const cookie = this.cookieHeader()
    const response = await fetch(new URL(url, this.origin), {
      method: init.method,
      headers: { ...(cookie === '' ? {} : { Cookie: cookie }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return {
      status: response.status,
      text: await response.text(),
      location: response.headers.get('location'),
    }
  }
}
