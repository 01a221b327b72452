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
import { nowSeconds } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const PASSWORD = 'correct horse battery staple'
const REGISTERED = {
  redirect_uris: ['https://client.example/callback'],
  client_name: 'Notes',
  scope: 'read write',
} as const
const ATTACKER = 'https://attacker.example/callback'

/**
 * docs/decisions.md A41: the consent form carries the client version it showed. A decision
 * posted after an RFC 7592 update changed the client (here: its only redirect URI, which an
 * authorization request without redirect_uri then goes to) approves nothing and sends nothing:
 * the user is asked to start again.
 */
describe('the consent form is bound to the client version it showed (A41)', () => {
  let server: TestServer
  let aliceId: string
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
    aliceId = (await addUser(server.store, 'alice', PASSWORD, nowSeconds())).id
  })
  afterAll(async () => {
    await server.close()
  })

  /** Signs alice in through the login form and returns the consent page for `client`. */
  async function consentPage(
    browser: Browser,
    client: ManagedClient,
  ): Promise<{ readonly page: PageResult; readonly url: string }> {
    const url = authorizeUrl(server.issuer, { client_id: client.clientId, state: 's-1' })
    const login = await browser.get(url)
    const signedIn = await browser.post(formAction(login.text) ?? '', {
      ...hiddenInputs(login.text),
      username: 'alice',
      password: PASSWORD,
    })
    expect(signedIn.status, signedIn.text).toBe(303)
    const page = await browser.get(signedIn.location ?? '')
    expect(page.status, page.text).toBe(200)
    return { page, url }
  }

  function decide(browser: Browser, page: PageResult, decision: 'allow' | 'deny') {
    return browser.post(formAction(page.text) ?? '', { ...hiddenInputs(page.text), decision })
  }

  it('the page carries the version it showed, and an unchanged client gets its code', async () => {
    const client = await registerManaged(server.url, REGISTERED)
    const browser = new Browser(server.url)
    const { page } = await consentPage(browser, client)
    expect(hiddenInputs(page.text).client_version).toBe('1')
    const allowed = await decide(browser, page, 'allow')
    expect(allowed.status, allowed.text).toBe(303)
    expect(allowed.location?.startsWith('https://client.example/callback?')).toBe(true)
    expect(redirectParams(allowed.location).get('code')).not.toBeNull()
  })

  it.each(['allow', 'deny'] as const)(
    '%s posted after a PUT moved the redirect URI: the start-again page, no redirect, no consent',
    async (decision) => {
      const client = await registerManaged(server.url, REGISTERED)
      const browser = new Browser(server.url)
      const { page } = await consentPage(browser, client)
      const moved = await putClient(client.uri, client.token, {
        ...REGISTERED,
        redirect_uris: [ATTACKER],
        client_id: client.clientId,
      })
      expect(moved.status, moved.text).toBe(200)

      const answer = await decide(browser, page, decision)
      expect(answer.status).toBe(409)
      expect(answer.location).toBeNull()
      expect(answer.text).not.toContain('attacker.example')
      expect(answer.text).toContain('id="start-again"')
      expect(await server.store.findConsent(aliceId, client.clientId)).toBeNull()

      // Starting again shows the client as it is now: where the answer would go included.
      const href = /id="start-again" href="([^"]*)"/
        .exec(answer.text)?.[1]
        ?.replaceAll('&amp;', '&')
      const again = await browser.get(href ?? '')
      expect(again.status, again.text).toBe(200)
      expect(again.text).toContain('<strong id="redirect-host">attacker.example</strong>')
      expect(hiddenInputs(again.text).client_version).toBe('2')
    },
  )

  it('a consent form without the version (a page from before it was added) is not accepted', async () => {
    const client = await registerManaged(server.url, REGISTERED)
    const browser = new Browser(server.url)
    const { page } = await consentPage(browser, client)
    const { client_version: _version, ...older } = hiddenInputs(page.text)
    const answer = await browser.post(formAction(page.text) ?? '', { ...older, decision: 'allow' })
    expect(answer.status).toBe(409)
    expect(answer.location).toBeNull()
  })
})
