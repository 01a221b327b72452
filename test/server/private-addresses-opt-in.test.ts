import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TlsTestServer } from '../net/tls-server.js'
import { jwkSetRoute, startTlsServer } from '../net/tls-server.js'
import type { ServeProcess } from '../support/cli.js'
import { assertBuilt, serveCli } from '../support/cli.js'
import type { SigningKey } from '../support/client-assertions.js'
import { assertionForm, makeSigningKey, signAssertion } from '../support/client-assertions.js'
import type { HttpResult } from '../support/http-helpers.js'
import { postJson } from '../support/http-helpers.js'
import { postForm } from '../support/token-helpers.js'

/**
 * docs/decisions.md B6, end to end: a real `registrar serve` process, configured with
 * `outboundFetch.allowPrivateAddresses` and trusting the test CA through Node's own
 * NODE_EXTRA_CA_CERTS (read once when a process starts, hence the child process), registers a
 * private_key_jwt client whose jwks_uri is on 127.0.0.1 and issues it a token. No test seam.
 */

const CA_FILE = fileURLToPath(new URL('../net/fixtures/ca.pem', import.meta.url))

let dir: string
let key: SigningKey
let jwks: TlsTestServer
const running: ServeProcess[] = []

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'registrar-private-addresses-'))
  key = await makeSigningKey('ES256')
  jwks = await startTlsServer({ '/jwks': jwkSetRoute(() => [key.publicJwk]) })
})

afterAll(async () => {
  await Promise.all(running.map((served) => served.stop()))
  await jwks.close()
  await rm(dir, { recursive: true, force: true })
})

/** `registrar serve` with the opt-in, and `extraCa` as NODE_EXTRA_CA_CERTS or none at all. */
async function start(
  name: string,
  allowPrivateAddresses: boolean | readonly string[],
  extraCa: string | null,
): Promise<ServeProcess> {
  const config = join(dir, `${name}.json`)
  await writeFile(
    config,
    JSON.stringify({
      logLevel: 'warn',
      registration: { allowedGrantTypes: ['client_credentials'] },
      outboundFetch: { allowPrivateAddresses },
    }),
  )
  const { NODE_EXTRA_CA_CERTS: _inherited, ...env } = process.env
  const database = `sqlite:${join(dir, `${name}.db`)}`
  const served = await serveCli(
    ['--port', '0', '--database', database, '--config', config],
    extraCa === null ? env : { ...env, NODE_EXTRA_CA_CERTS: extraCa },
  )
  running.push(served)
  return served
}

function register(served: ServeProcess): Promise<HttpResult> {
  return postJson(served.url, {
    client_name: 'internal service',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks_uri: `https://127.0.0.1:${jwks.port}/jwks`,
  })
}

async function token(served: ServeProcess, clientId: string): Promise<HttpResult> {
  const assertion = await signAssertion(key, clientId, served.url)
  return postForm(`${served.url}/token`, {
    grant_type: 'client_credentials',
    ...assertionForm(assertion),
  })
}

describe('outboundFetch.allowPrivateAddresses with NODE_EXTRA_CA_CERTS, in a real server process', () => {
  it("['127.0.0.1/32'] and the CA in NODE_EXTRA_CA_CERTS: jwks_uri on 127.0.0.1 registers and authenticates", async () => {
    const served = await start('allowed', ['127.0.0.1/32'], CA_FILE)
    const registered = await register(served)
    expect(registered.status, registered.text).toBe(201)
    const clientId = String(registered.json?.client_id)
    const before = jwks.requests('/jwks')
    const issued = await token(served, clientId)
    expect(issued.status, issued.text).toBe(200)
    expect(typeof issued.json?.access_token).toBe('string')
    expect(jwks.requests('/jwks')).toBe(before + 1)
    // The opt-in weakens SSRF protection: said once at start-up, naming what it allows.
    const warnings = served
      .stderr()
      .split('\n')
      .filter((line) => line.includes('outboundFetch.allowPrivateAddresses'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('"allow_private_addresses":"127.0.0.1/32"')
  })

  it('the same opt-in without NODE_EXTRA_CA_CERTS: the certificate is not trusted, 401 invalid_client', async () => {
    const served = await start('untrusted', ['127.0.0.1/32'], null)
    const registered = await register(served)
    expect(registered.status, registered.text).toBe(201)
    const before = jwks.requests('/jwks')
    const issued = await token(served, String(registered.json?.client_id))
    expect(issued.status, issued.text).toBe(401)
    expect(issued.json?.error).toBe('invalid_client')
    // The handshake failed: no request reached the key set.
    expect(jwks.requests('/jwks')).toBe(before)
  })

  it('off (the default) with the CA trusted: the 127.0.0.1 jwks_uri is refused at registration, nothing logged', async () => {
    const served = await start('off', false, CA_FILE)
    const registered = await register(served)
    expect(registered.status, registered.text).toBe(400)
    expect(registered.json?.error).toBe('invalid_client_metadata')
    expect(registered.json?.error_description).toContain('special-use address (loopback, ')
    expect(served.stderr()).not.toContain('outboundFetch.allowPrivateAddresses')
  })
})
