import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUser } from '../../src/core/users/add-user.js'
import type { PageResult } from '../support/browser.js'
import { authorizeUrl, Browser, formAction, hiddenInputs } from '../support/browser.js'
import { putClient, registerManaged } from '../support/client-configuration.js'
import { clientIdOf, expectOAuthError, nowSeconds, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const VENDOR = 'https://vendor.example'
const KID = 'vendor-key-1'
const PASSWORD = 'correct horse battery staple'
const VENDOR_CALLBACK = 'https://app.vendor.example/callback'
const ATTACKER = 'https://attacker.example/callback'

/** What a vendor publishes for its app: a name and a logo, and here no redirect URIs. */
const NAME_ONLY = { client_name: 'Vetted App', logo_uri: 'https://vendor.example/logo.png' }

let vendorKey: CryptoKey
let vendorJwk: JWK

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true })
  vendorKey = pair.privateKey
  vendorJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'ES256', use: 'sig' }
})

function vendorStatement(claims: JWTPayload): Promise<string> {
  return new SignJWT({ iss: VENDOR, iat: nowSeconds(), ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
    .sign(vendorKey)
}

function softwareStatement(requireRedirectUris?: boolean) {
  return {
    trustedIssuers: [{ issuer: VENDOR, jwks: { keys: [vendorJwk] } }],
    ...(requireRedirectUris === undefined ? {} : { requireRedirectUris }),
  }
}

/**
 * docs/decisions.md A41: a software statement verifies a client only when it asserts the
 * client's redirect_uris itself. A public vendor statement copied next to an attacker's
 * redirect_uris must not show "Allow Vetted App" without a warning.
 */
describe('a software statement vouches for a client only with its redirect_uris (A41)', () => {
  let server: TestServer
  let browser: Browser
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, softwareStatement: softwareStatement() },
    })
    await addUser(server.store, 'alice', PASSWORD, nowSeconds())
    browser = new Browser(server.url)
  })
  afterAll(async () => {
    await server.close()
  })

  /** The consent page for `clientId`, signing alice in first when needed. */
  async function consentPageFor(clientId: string): Promise<PageResult> {
    const url = authorizeUrl(server.issuer, { client_id: clientId, prompt: 'consent' })
    let page = await browser.get(url)
    if (page.text.includes('name="password"')) {
      const signedIn = await browser.post(formAction(page.text) ?? '', {
        ...hiddenInputs(page.text),
        username: 'alice',
        password: PASSWORD,
      })
      page = await browser.get(signedIn.location ?? '')
    }
    expect(page.status, page.text).toBe(200)
    return page
  }

  /** Registers the attacker's redirect URI next to a vendor statement of `claims`. */
  async function registerNextTo(claims: JWTPayload) {
    const registered = await postJson(server.url, {
      redirect_uris: [ATTACKER],
      software_statement: await vendorStatement(claims),
    })
    expect(registered.status, registered.text).toBe(201)
    const clientId = clientIdOf(registered)
    const record = await server.store.getClient(clientId)
    return { clientId, registered, provenance: record?.provenance }
  }

  it('a statement without redirect_uris, body redirect_uris: unverified, the name shown as claimed', async () => {
    const { clientId, provenance } = await registerNextTo(NAME_ONLY)
    expect(provenance).toMatchObject({
      softwareStatementIssuer: VENDOR,
      verifiedBySoftwareStatement: false,
    })

    const page = await consentPageFor(clientId)
    expect(page.text).toContain('<span id="client-name">Vetted App</span>')
    expect(page.text).toContain('id="unverified-notice"')
    expect(page.text).toContain('(as claimed)')
    expect(page.text).toContain('shown as claimed, not verified')
    expect(page.text).toContain(`<strong id="statement-issuer">${VENDOR}</strong>`)
    expect(page.text).toContain('<strong id="redirect-host">attacker.example</strong>')
  })

  it('a statement that asserts redirect_uris verifies the client; the body cannot replace them', async () => {
    const { clientId, registered, provenance } = await registerNextTo({
      ...NAME_ONLY,
      redirect_uris: [VENDOR_CALLBACK],
    })
    expect(registered.json?.redirect_uris).toEqual([VENDOR_CALLBACK])
    expect(provenance).toMatchObject({
      softwareStatementIssuer: VENDOR,
      verifiedBySoftwareStatement: true,
    })

    const page = await consentPageFor(clientId)
    expect(page.text).toContain('<span id="client-name">Vetted App</span>')
    expect(page.text).not.toContain('unverified-notice')
    expect(page.text).not.toContain('as claimed')
    expect(page.text).toContain('<strong id="redirect-host">app.vendor.example</strong>')
  })

  it('RFC 7592: a PUT that leaves the statement, and so its redirect_uris, loses the verdict', async () => {
    const jwt = await vendorStatement({ ...NAME_ONLY, redirect_uris: [VENDOR_CALLBACK] })
    const client = await registerManaged(server.url, { software_statement: jwt })
    const verdict = async () =>
      (await server.store.getClient(client.clientId))?.provenance.verifiedBySoftwareStatement

    // Restating the statement keeps it: its redirect_uris win over the body's.
    const restated = await putClient(client.uri, client.token, {
      client_id: client.clientId,
      redirect_uris: [ATTACKER],
      software_statement: jwt,
    })
    expect(restated.status, restated.text).toBe(200)
    expect(await verdict()).toBe(true)

    const token = String(restated.json?.registration_access_token)
    const moved = await putClient(client.uri, token, {
      ...NAME_ONLY,
      client_id: client.clientId,
      redirect_uris: [ATTACKER],
    })
    expect(moved.status, moved.text).toBe(200)
    expect(await verdict()).toBe(false)
    expect(await consentPageFor(client.clientId)).toMatchObject({
      text: expect.stringContaining('id="unverified-notice"'),
    })
  })
})

describe('registration.softwareStatement.requireRedirectUris (A41)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, softwareStatement: softwareStatement(true) },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('refuses a statement that leaves redirect_uris to the body: 400 invalid_software_statement', async () => {
    const refused = await postJson(server.url, {
      redirect_uris: [ATTACKER],
      software_statement: await vendorStatement(NAME_ONLY),
    })
    expectOAuthError(refused, 400, 'invalid_software_statement')
    expect(refused.json?.error_description).toContain(
      'software_statement must assert redirect_uris',
    )
  })

  it('accepts a statement that asserts them, as verified', async () => {
    const accepted = await postJson(server.url, {
      software_statement: await vendorStatement({ ...NAME_ONLY, redirect_uris: [VENDOR_CALLBACK] }),
    })
    expect(accepted.status, accepted.text).toBe(201)
    const record = await server.store.getClient(clientIdOf(accepted))
    expect(record?.provenance.verifiedBySoftwareStatement).toBe(true)
  })
})
