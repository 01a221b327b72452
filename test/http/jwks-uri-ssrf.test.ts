import type { Server, Socket } from 'node:net'
import { createServer } from 'node:net'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SafeFetchTestSeam } from '../../src/net/safe-fetch.js'
import { safeFetchTestSeam } from '../../src/net/safe-fetch.js'
import { createRegistrar } from '../../src/registrar.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { TlsTestServer } from '../net/tls-server.js'
import { loopbackResolver, startTlsServer, TEST_CA, TEST_HOST } from '../net/tls-server.js'
import type { SigningKey } from '../support/client-assertions.js'
import { assertionForm, makeSigningKey, signAssertion } from '../support/client-assertions.js'
import { putClient, registerManaged } from '../support/client-configuration.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds, postJson, REDIRECT_URI } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'
import { createTestClient, postForm } from '../support/token-helpers.js'

/**
 * Issue 12, item 2: blind SSRF through jwks_uri. Registration only checked that jwks_uri is https,
 * and the token endpoint fetched it wherever it pointed, so anyone could make the server connect
 * to its own ports and read the answer time: 5 s for an open port that never answers (the fetch
 * timeout), a few ms for a closed one. Every server-side fetch now goes through the safe fetcher
 * (src/net/safe-fetch.ts), which refuses special-use addresses before connecting.
 */

/** A port that accepts connections and never answers: the open port the timing gave away. */
interface SilentPort {
  readonly port: number
  connections(): number
  close(): Promise<void>
}

async function openSilentPort(): Promise<SilentPort> {
  let connections = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    connections += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

async function closedPort(): Promise<number> {
  const probe = await openSilentPort()
  await probe.close()
  return probe.port
}

/** What a client is told, which must not depend on what was found behind the address. */
function refusal(result: HttpResult) {
  return {
    status: result.status,
    error: result.json?.error,
    description: result.json?.error_description,
    challenge: result.headers.get('www-authenticate'),
  }
}

const GENERIC_KEY_FAILURE = {
  status: 401,
  error: 'invalid_client',
  description: "client_assertion cannot be verified: the client's keys could not be obtained",
  challenge: null,
}

describe('blind SSRF through jwks_uri: the server never connects to its own network', () => {
  let server: TestServer
  let silent: SilentPort
  let key: SigningKey

  beforeAll(async () => {
    server = await startTestServer({
      registration: {
        allowedGrantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      },
    })
    silent = await openSilentPort()
    key = await makeSigningKey('ES256')
  })

  afterAll(async () => {
    await silent.close()
    await server.close()
  })

  async function tokenRequest(clientId: string): Promise<{ result: HttpResult; ms: number }> {
    const assertion = await signAssertion(key, clientId, server.issuer)
    const started = Date.now()
    const result = await postForm(`${server.url}/token`, {
      grant_type: 'client_credentials',
      ...assertionForm(assertion),
    })
    return { result, ms: Date.now() - started }
  }

  it('a jwks_uri at 127.0.0.1 (open port, closed port) or at localhost: the same quick invalid_client, and no connection', async () => {
    // Registration refuses an IP literal now, so these two are written to the store directly,
    // as a client registered before the fix would be.
    const openPortClient = await createTestClient(server.store, {
      method: 'private_key_jwt',
      grantTypes: ['client_credentials'],
      jwksUri: `https://127.0.0.1:${silent.port}/jwks`,
    })
    const closedPortClient = await createTestClient(server.store, {
      method: 'private_key_jwt',
      grantTypes: ['client_credentials'],
      jwksUri: `https://127.0.0.1:${await closedPort()}/jwks`,
    })
    // A host name passes registration (it could resolve anywhere); open registration, no sign-in.
    const byName = await registerManaged(server.url, {
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `https://localhost:${silent.port}/jwks`,
    })

    for (const clientId of [openPortClient.clientId, closedPortClient.clientId, byName.clientId]) {
      const { result, ms } = await tokenRequest(clientId)
      expectOAuthError(result, 401, 'invalid_client')
      expect(refusal(result)).toEqual(GENERIC_KEY_FAILURE)
      // Before the fix the open port took the whole 5 s fetch timeout, the closed one a few ms.
      expect(ms).toBeLessThan(1_000)
    }
    expect(silent.connections()).toBe(0)
  })

  it('RFC 7592: an update cannot point jwks_uri at the server either', async () => {
    const managed = await registerManaged(server.url, {
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
    })
    const literal = await putClient(managed.uri, managed.token, {
      client_id: managed.clientId,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `https://127.0.0.1:${silent.port}/jwks`,
    })
    expectOAuthError(literal, 400, 'invalid_client_metadata')

    const byName = await putClient(managed.uri, managed.token, {
      client_id: managed.clientId,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `https://localhost:${silent.port}/jwks`,
    })
    expect(byName.status, byName.text).toBe(200)
    const { result } = await tokenRequest(managed.clientId)
    expect(refusal(result)).toEqual(GENERIC_KEY_FAILURE)
    expect(silent.connections()).toBe(0)
  })
})

describe('RFC 7523 §2.2 with a jwks_uri the fetcher may reach (a public host, stood in for by the test seam)', () => {
  let server: TestServer
  let jwks: TlsTestServer
  let key: SigningKey
  let resolver: ReturnType<typeof loopbackResolver>

  beforeAll(async () => {
    key = await makeSigningKey('ES256')
    jwks = await startTlsServer({
      '/jwks': (_request, response) => {
        response
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ keys: [key.publicJwk] }))
      },
    })
    resolver = loopbackResolver()
    const seam: SafeFetchTestSeam = {
      allowAddresses: ['127.0.0.1'],
      ca: TEST_CA,
      resolve: resolver,
    }
    server = await startTestServer({ [safeFetchTestSeam]: seam } as Parameters<
      typeof startTestServer
    >[0])
  })

  afterAll(async () => {
    await server.close()
    await jwks.close()
  })

  it('R7523-06: the token endpoint verifies with the keys at jwks_uri, fetched once for several requests', async () => {
    const client = await createTestClient(server.store, {
      method: 'private_key_jwt',
      grantTypes: ['client_credentials'],
      jwksUri: `https://${TEST_HOST}:${jwks.port}/jwks`,
    })
    for (let i = 0; i < 3; i += 1) {
      const assertion = await signAssertion(key, client.clientId, server.issuer)
      const result = await postForm(`${server.url}/token`, {
        grant_type: 'client_credentials',
        ...assertionForm(assertion),
      })
      expect(result.status, result.text).toBe(200)
    }
    expect(jwks.requests('/jwks')).toBe(1)
    expect(resolver.calls()).toBe(1)
  })

  it('RFC 7523 §3: an assertion signed with a key the jwks_uri does not publish → 401 invalid_client', async () => {
    const client = await createTestClient(server.store, {
      method: 'private_key_jwt',
      grantTypes: ['client_credentials'],
      jwksUri: `https://${TEST_HOST}:${jwks.port}/jwks`,
    })
    const stranger = await makeSigningKey('RS256')
    const assertion = await signAssertion(stranger, client.clientId, server.issuer)
    const result = await postForm(`${server.url}/token`, {
      grant_type: 'client_credentials',
      ...assertionForm(assertion),
    })
    expect(result.status, result.text).toBe(401)
    expect(result.json?.error).toBe('invalid_client')
  })
})

describe('RFC 7591 §2: a jwks_uri whose host is a special-use IP literal is refused at registration', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.close()
  })

  it.each([
    ['https://127.0.0.1/jwks', 'loopback'],
    ['https://127.0.0.1:8443/jwks', 'loopback'],
    ['https://[::1]/jwks', 'loopback'],
    ['https://[::ffff:7f00:1]/jwks', 'IPv4-mapped loopback'],
    ['https://169.254.169.254/latest/meta-data/', 'cloud metadata service'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'cloud metadata service'],
    ['https://10.0.0.5/jwks', 'private'],
    ['https://192.168.1.10/jwks', 'private'],
    ['https://100.64.0.1/jwks', 'shared (carrier-grade NAT)'],
    ['https://[fe80::1]/jwks', 'link-local'],
    ['https://[fc00::1]/jwks', 'unique local'],
    ['https://[64:ff9b::a00:1]/jwks', 'NAT64 private'],
    ['https://0.0.0.0/jwks', 'unspecified (this network)'],
  ])('%s → 400 invalid_client_metadata naming jwks_uri and the %s range', async (jwksUri, name) => {
    const result = await postJson(server.url, {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: jwksUri,
    })
    expectOAuthError(result, 400, 'invalid_client_metadata')
    expect(result.json?.error_description).toContain('jwks_uri')
    expect(result.json?.error_description).toContain(`is a special-use address (${name}, `)
  })

  it('a public literal and a host name are accepted (the fetch checks what a name resolves to)', async () => {
    for (const jwksUri of ['https://93.184.215.14/jwks', 'https://client.example/jwks']) {
      const result = await postJson(server.url, {
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: jwksUri,
      })
      expect(result.status, result.text).toBe(201)
    }
  })
})

describe("a software statement issuer's jwksUri is fetched by the same rules", () => {
  const ISSUER = 'https://statements.example'

  it('an issuer whose jwksUri resolves to loopback: invalid_software_statement, quickly, no connection', async () => {
    const silent = await openSilentPort()
    const server = await startTestServer({
      registration: {
        softwareStatement: {
          trustedIssuers: [{ issuer: ISSUER, jwksUri: `https://localhost:${silent.port}/jwks` }],
        },
      },
    })
    try {
      const key = await makeSigningKey('ES256')
      const statement = await new SignJWT({
        iss: ISSUER,
        iat: nowSeconds(),
        exp: nowSeconds() + 600,
        redirect_uris: [REDIRECT_URI],
      })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .sign(key.privateKey)
      const started = Date.now()
      const result = await postJson(server.url, {
        redirect_uris: [REDIRECT_URI],
        software_statement: statement,
      })
      expectOAuthError(result, 400, 'invalid_software_statement')
      expect(result.json?.error_description).toBe(
        "software_statement cannot be verified: the keys of issuer 'https://statements.example' could not be fetched",
      )
      expect(Date.now() - started).toBeLessThan(1_000)
      expect(silent.connections()).toBe(0)
    } finally {
      await server.close()
      await silent.close()
    }
  })

  it.each([
    ['http', 'http://statements.example/jwks', 'must be an https URL'],
    [
      'a private address',
      'https://10.0.0.5/jwks',
      'must not name a special-use address \\(private, ',
    ],
    ['loopback', 'https://127.0.0.1/jwks', 'must not name a special-use address \\(loopback, '],
  ])('a jwksUri over %s stops start-up with a message naming the key', async (_, jwksUri, rule) => {
    const store = await openSqliteStore({ path: ':memory:' })
    try {
      expect(() =>
        createRegistrar({
          issuer: 'https://as.example',
          store,
          registration: { softwareStatement: { trustedIssuers: [{ issuer: ISSUER, jwksUri }] } },
        }),
      ).toThrowError(
        new RegExp(`registration\\.softwareStatement\\.trustedIssuers\\[0\\]\\.jwksUri: ${rule}`),
      )
    } finally {
      await store.close()
    }
  })
})
