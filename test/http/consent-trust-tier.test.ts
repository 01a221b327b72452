import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConsentPageContext } from '../../src/http/pages/page-contexts.js'
import { authorizeUrl, Browser } from '../support/browser.js'
import { clientOfCase, STATEMENT_ISSUER, TIER_CASES } from '../support/client-tiers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

/** The host's session is a header here; a real host would read its own cookie. */
async function hostUser(request: Request) {
  const who = request.headers.get('x-host-user')
  return who === null ? null : { id: `host-${who}`, username: who }
}

const SIGNED_IN = { 'x-host-user': 'alice' }

/**
 * docs/decisions.md B7: the consent page knows each client's trust tier, and warns that the
 * name is only as claimed (RFC 7591 §5, A41) by the one rule that also decides error redirects
 * (A40, RFC 9700 §4.11.2): for the tiers nobody vouches for, and for no other.
 */
describe('B7: the trust tier on the consent page', () => {
  let hosted: TestServer
  let builtIn: TestServer
  const contexts: ConsentPageContext[] = []

  beforeAll(async () => {
    hosted = await startTestServer({
      authorization: {
        authenticateUser: hostUser,
        renderConsent(context) {
          contexts.push(context)
          return new Response('<p>host consent</p>', { headers: { 'Content-Type': 'text/html' } })
        },
      },
    })
    builtIn = await startTestServer({ authorization: { authenticateUser: hostUser } })
    for (const tierCase of TIER_CASES) {
      const record = clientOfCase(tierCase, { client_name: `${tierCase.name} app` })
      await hosted.store.createClient(record)
      await builtIn.store.createClient(record)
    }
  })
  afterAll(async () => {
    await Promise.all([hosted?.close(), builtIn?.close()])
  })

  // prompt=consent: a trusted client would skip the page otherwise.
  const consentUrl = (server: TestServer, clientId: string) =>
    authorizeUrl(server.issuer, { client_id: clientId, scope: 'read', prompt: 'consent' })

  it.each(TIER_CASES)('renderConsent gets client.trustTier: $name → $tier', async (tierCase) => {
    const page = await new Browser(hosted.url).get(consentUrl(hosted, tierCase.name), SIGNED_IN)
    expect(page.status, page.text).toBe(200)
    expect(contexts.at(-1)?.client).toMatchObject({
      clientId: tierCase.name,
      trustTier: tierCase.tier,
      unverified: tierCase.tier === 'anonymous',
      redirectHost: 'client.example',
    })
  })

  it.each(TIER_CASES)(
    'the built-in page warns only for a tier nobody vouches for: $name → $tier',
    async (tierCase) => {
      const page = await new Browser(builtIn.url).get(consentUrl(builtIn, tierCase.name), SIGNED_IN)
      expect(page.status, page.text).toBe(200)
      expect(page.text).toContain('<strong id="redirect-host">client.example</strong>')
      const warned = tierCase.tier === 'anonymous'
      expect(page.text.includes('id="unverified-notice"')).toBe(warned)
      expect(page.text.includes('id="name-claimed"')).toBe(warned)
      // A41: a statement that does not assert the redirect URIs is named in the warning.
      expect(page.text.includes(`id="statement-issuer">${STATEMENT_ISSUER}<`)).toBe(
        warned && tierCase.provenance.softwareStatementIssuer === STATEMENT_ISSUER,
      )
    },
  )
})
