import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUser } from '../../src/core/users/add-user.js'
import type { PageResult } from '../support/browser.js'
import {
  authorizeUrl,
  Browser,
  formAction,
  hiddenInputs,
  redirectParams,
} from '../support/browser.js'
import type { ManagedClient } from '../support/client-configuration.js'
import { putClient, registerManaged } from '../support/client-configuration.js'
import { expectOAuthError, nowSeconds } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import type { TestClient } from '../support/token-helpers.js'
import {
  basic,
  codeRequest,
  createTestCode,
  createTestUser,
  postForm,
  storedToken,
  stringMember,
} from '../support/token-helpers.js'

const CALLBACK = 'https://client.example/callback'
const ATTACKER = 'https://attacker.example/callback'
const PASSWORD = 'correct horse battery staple'

/** A confidential web client with everything A41 counts as its identity, and more. */
const REGISTERED = {
  redirect_uris: [CALLBACK, 'https://client.example/other'],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'read write',
  client_name: 'Notes',
  'client_name#fr': 'Notes',
  logo_uri: 'https://client.example/logo.png',
  client_uri: 'https://client.example/',
  tos_uri: 'https://client.example/tos',
  contacts: ['ops@client.example'],
} as const

const EC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  format: 'jwk',
})

/**
 * docs/decisions.md A41: an RFC 7592 update that changes who a client is, or where its codes go,
 * takes away the administrator's trust and every user's remembered consent, in the same write;
 * one that drops client authentication revokes the refresh tokens it holds.
 */
describe('RFC 7592 updates and what was given to the client as it was (A41)', () => {
  let server: TestServer
  let token: string
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    token = `${server.url}/token`
  })
  afterAll(async () => {
    await server.close()
  })

  /** Registers the client, has an administrator trust it, and a user approve it. */
  async function trustedAndApproved(): Promise<ManagedClient> {
    const client = await registerManaged(server.url, REGISTERED)
    expect(await server.store.setClientTrusted(client.clientId, true)).toBe(true)
    await server.store.saveConsent({
      userId: 'user-1',
      clientId: client.clientId,
      scopes: ['read'],
      resources: [],
      grantedAt: nowSeconds(),
    })
    return client
  }

  async function put(client: ManagedClient, changes: Readonly<Record<string, unknown>>) {
    const result = await putClient(client.uri, client.token, {
      ...REGISTERED,
      ...changes,
      client_id: client.clientId,
    })
    expect(result.status, result.text).toBe(200)
    return result
  }

  it.each<[string, Readonly<Record<string, unknown>>]>([
    ['redirect_uris', { redirect_uris: [ATTACKER] }],
    ['token_endpoint_auth_method', { token_endpoint_auth_method: 'client_secret_post' }],
    ['jwks', { jwks: { keys: [EC_KEY] } }],
    ['jwks_uri', { jwks_uri: 'https://client.example/jwks.json' }],
    ['client_name', { client_name: 'Notes (official)' }],
    ['client_name#fr', { 'client_name#fr': 'Notes officielles' }],
    ['client_name#de (added)', { 'client_name#de': 'Notizen' }],
    ['logo_uri', { logo_uri: 'https://attacker.example/logo.png' }],
    ['client_uri', { client_uri: 'https://attacker.example/' }],
  ])('a PUT that changes %s clears trust and remembered consent', async (_member, changes) => {
    const client = await trustedAndApproved()
    await put(client, changes)
    expect(await server.store.getClient(client.clientId)).toMatchObject({ trusted: false })
    expect(await server.store.findConsent('user-1', client.clientId)).toBeNull()
  })

  it.each<[string, Readonly<Record<string, unknown>>]>([
    ['contacts', { contacts: ['security@client.example'] }],
    ['tos_uri', { tos_uri: 'https://client.example/terms' }],
    ['the order of redirect_uris', { redirect_uris: ['https://client.example/other', CALLBACK] }],
    ['nothing', {}],
  ])('a PUT that changes only %s keeps trust and remembered consent', async (_member, changes) => {
    const client = await trustedAndApproved()
    await put(client, changes)
    expect(await server.store.getClient(client.clientId)).toMatchObject({ trusted: true })
    expect(await server.store.findConsent('user-1', client.clientId)).not.toBeNull()
  })

  it('a trusted client that moves its redirect_uris gets the consent page there, not a silent code', async () => {
    const client = await trustedAndApproved()
    await addUser(server.store, 'alice', PASSWORD, nowSeconds())
    const browser = new Browser(server.url)
    const login = await browser.get(
      authorizeUrl(server.issuer, { client_id: client.clientId, redirect_uri: CALLBACK }),
    )
    const signedIn = await browser.post(formAction(login.text) ?? '', {
      ...hiddenInputs(login.text),
      username: 'alice',
      password: PASSWORD,
    })
    // Trusted: the code goes straight back.
    const silent = await browser.get(signedIn.location ?? '')
    expect(redirectParams(silent.location).get('code')).not.toBeNull()

    await put(client, { redirect_uris: [ATTACKER] })
    const asked: PageResult = await browser.get(
      authorizeUrl(server.issuer, { client_id: client.clientId, redirect_uri: ATTACKER }),
    )
    expect(asked.status, asked.location ?? '').toBe(200)
    expect(asked.location).toBeNull()
    expect(asked.text).toContain('<strong id="redirect-host">attacker.example</strong>')
  })

  /** The registered client as token-helpers' TestClient, and its first refresh token. */
  async function withRefreshToken(client: ManagedClient) {
    const record = await server.store.getClient(client.clientId)
    if (record === null || client.secret === null) throw new Error('no confidential client')
    const asClient: TestClient = {
      clientId: client.clientId,
      secret: client.secret,
      record,
      auth: { form: {}, headers: basic(client.clientId, client.secret) },
    }
    const user = await createTestUser(server.store)
    const code = await createTestCode(server.store, asClient, user)
    const first = await postForm(token, codeRequest(asClient, code), asClient.auth.headers)
    expect(first.status, first.text).toBe(200)
    return stringMember(first, 'refresh_token')
  }

  it('moving to none revokes the refresh tokens issued while the client had a secret', async () => {
    const client = await registerManaged(server.url, REGISTERED)
    const refreshToken = await withRefreshToken(client)
    await put(client, { token_endpoint_auth_method: 'none' })
    expect((await storedToken(server.store, refreshToken))?.revokedAt).not.toBeNull()
    // Without the secret it would otherwise be enough on its own.
    const refreshed = await postForm(token, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
    })
    expectOAuthError(refreshed, 400, 'invalid_grant')
  })

  it('moving to another secret method keeps the refresh tokens: the secret still guards them', async () => {
    const client = await registerManaged(server.url, REGISTERED)
    const refreshToken = await withRefreshToken(client)
    await put(client, { token_endpoint_auth_method: 'client_secret_post' })
    const refreshed = await postForm(token, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
      client_secret: client.secret ?? '',
    })
    expect(refreshed.status, refreshed.text).toBe(200)
  })
})
