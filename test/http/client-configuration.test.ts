import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '../../src/core/crypto/hash-secret.js'
import type { ClientRecord } from '../../src/core/store/store.js'
import type { ManagedClient } from '../support/client-configuration.js'
import {
  deleteClient,
  expectInvalidToken,
  putClient,
  readClient,
  refusalShape,
  registerManaged,
  serverClientUri,
  TOKEN_SHAPE,
  withoutSecret,
} from '../support/client-configuration.js'
import type { HttpResult } from '../support/http-helpers.js'
import { expectOAuthError, nowSeconds, REDIRECT_URI, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { register, startTestServer } from '../support/test-server.js'

const REDIRECT_A = 'https://client.example/a'
const REDIRECT_B = 'https://client.example/b'
const REDIRECT_C = 'https://client.example/c'
const LOGO = 'https://client.example/logo.png'

/** A web client with a secret, a logo and two redirect URIs: plenty for PUT to replace. */
const CONFIDENTIAL = {
  redirect_uris: [REDIRECT_A, REDIRECT_B],
  client_name: 'Configurable',
  logo_uri: LOGO,
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'read write',
} as const

const PUBLIC = {
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'none',
  client_name: 'Public',
} as const

function freshToken(): string {
  return randomBytes(32).toString('base64url')
}

/** A client written to the store directly, holding a registration access token we know. */
function storeRecord(clientId: string, token: string, origin: 'dynamic' | 'admin'): ClientRecord {
  const now = nowSeconds()
  return {
    clientId,
    clientSecretHash: null,
    clientSecretExpiresAt: 0,
    clientIdIssuedAt: now,
    updatedAt: now,
    metadata: {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      scope: 'read',
      client_name: `${origin} client`,
    },
    provenance: {
      origin,
      authorizedBy: origin === 'admin' ? 'admin' : 'open',
      ip: null,
      userAgent: null,
      initialAccessTokenId: null,
      softwareStatementIssuer: null,
      verifiedBySoftwareStatement: false,
    },
    registrationAccessTokenHash: hashSecret(token),
    registrationAccessTokenExpiresAt: null,
    version: 1,
    trusted: false,
    resourceServer: null,
  }
}

async function withServer(
  overrides: Parameters<typeof startTestServer>[0],
  run: (server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startTestServer(overrides)
  try {
    await run(server)
  } finally {
    await server.close()
  }
}

/** The body of a PUT that restates `client`'s registration with `changes` (replace semantics). */
function fullBody(
  client: ManagedClient,
  metadata: Record<string, unknown>,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...metadata, ...changes, client_id: client.clientId }
}

describe('RFC 7592 client configuration endpoint, default options', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  const registerConfidential = () => registerManaged(server.url, { ...CONFIDENTIAL })
  const registerPublic = () => registerManaged(server.url, { ...PUBLIC })

  async function stored(clientId: string): Promise<ClientRecord> {
    const record = await server.store.getClient(clientId)
    if (record === null) throw new Error(`client ${clientId} is not stored`)
    return record
  }

  /** GET with `token`, failing unless 200; the body. */
  async function current(client: ManagedClient, token = client.token) {
    const result = await readClient(client.uri, token)
    expect(result.status, result.text).toBe(200)
    if (result.json === null) throw new Error(`GET answered ${result.text}`)
    return result.json
  }

  describe('the registration answer (RFC 7592 §3)', () => {
    it('R7592-01 / ROIDCR-21: every 201 carries both registration_access_token and registration_client_uri', async () => {
      for (const body of [CONFIDENTIAL, PUBLIC]) {
        const result = await register(server.url, body)
        expect(result.status).toBe(201)
        expect(typeof result.body.registration_access_token).toBe('string')
        expect(typeof result.body.registration_client_uri).toBe('string')
      }
    })

    it('registration_client_uri is {issuer}/register/{client_id}, also named by Location', async () => {
      const client = await registerConfidential()
      expect(client.uri).toBe(`${server.issuer}/register/${client.clientId}`)
      expect(client.headers.get('location')).toBe(client.uri)
    })

    it('R7592-02: the token is 256 random bits (≥ 43 base64url characters), unique, not derived from client_id', async () => {
      const clients = await Promise.all([1, 2, 3, 4].map(() => registerConfidential()))
      const tokens = clients.map((c) => c.token)
      for (const client of clients) {
        expect(client.token).toMatch(TOKEN_SHAPE)
        expect(client.token).not.toContain(client.clientId)
        expect(client.token).not.toBe(client.secret)
      }
      expect(new Set(tokens).size).toBe(tokens.length)
    })

    it('the token is stored only as a hash: not in the stored record and nowhere in the database files', async () => {
      const client = await registerConfidential()
      const record = await stored(client.clientId)
      expect(record.registrationAccessTokenHash).not.toBeNull()
      expect(record.registrationAccessTokenHash).not.toBe(client.token)
      expect(JSON.stringify(record)).not.toContain(client.token)
      const bytes = await server.databaseBytes()
      expect(bytes.includes(Buffer.from(client.token))).toBe(false)
    })
  })

  describe('GET registration_client_uri (RFC 7592 §2.1)', () => {
    it('R7592-03: → 200 application/json with the registration as registered, without client_secret (A8)', async () => {
      const client = await registerConfidential()
      const result = await readClient(client.uri, client.token)
      expect(result.status).toBe(200)
      expect(result.headers.get('content-type')).toMatch(/^application\/json/)
      expect(result.json).toEqual(withoutSecret(client.body))
      expect(result.json).not.toHaveProperty('client_secret')
      expect(result.json).toMatchObject({
        client_id: client.clientId,
        client_id_issued_at: client.body.client_id_issued_at,
        client_secret_expires_at: 0,
        registration_client_uri: client.uri,
        registration_access_token: client.token,
        redirect_uris: [REDIRECT_A, REDIRECT_B],
        logo_uri: LOGO,
      })
    })

    it('R7592-04 / A27: the answer is Cache-Control: no-store and Pragma: no-cache', async () => {
      const client = await registerConfidential()
      const result = await readClient(client.uri, client.token)
      expect(result.headers.get('cache-control')).toBe('no-store')
      expect(result.headers.get('pragma')).toBe('no-cache')
    })

    it('a public (none) client has no client_secret_expires_at', async () => {
      const client = await registerPublic()
      const body = await current(client)
      expect(body).not.toHaveProperty('client_secret')
      expect(body).not.toHaveProperty('client_secret_expires_at')
      expect(body.token_endpoint_auth_method).toBe('none')
    })

    it('R7592-12 / A7: GET is idempotent and never rotates the token (twice → same body, same stored record)', async () => {
      const client = await registerConfidential()
      const before = await stored(client.clientId)
      const first = await readClient(client.uri, client.token)
      const second = await readClient(client.uri, client.token)
      expect(second.status).toBe(200)
      expect(second.text).toBe(first.text)
      expect(second.json?.registration_access_token).toBe(client.token)
      expect(await stored(client.clientId)).toEqual(before)
    })

    it('RFC 9110 §11.1: the Bearer scheme name is case-insensitive', async () => {
      const client = await registerConfidential()
      const result = await readClient(client.uri, null, { Authorization: `bearer ${client.token}` })
      expect(result.status).toBe(200)
    })
  })

  describe('PUT registration_client_uri (RFC 7592 §2.2)', () => {
    it('R7592-13: a full body with client_id → 200 with the full new registration, same client_id and client_id_issued_at', async () => {
      const client = await registerConfidential()
      const result = await putClient(
        client.uri,
        client.token,
        fullBody(client, CONFIDENTIAL, { client_name: 'Renamed' }),
      )
      expect(result.status, result.text).toBe(200)
      expect(result.headers.get('content-type')).toMatch(/^application\/json/)
      expect(result.headers.get('cache-control')).toBe('no-store')
      expect(result.headers.get('pragma')).toBe('no-cache')
      expect(result.json).toMatchObject({
        client_id: client.clientId,
        client_id_issued_at: client.body.client_id_issued_at,
        client_secret_expires_at: 0,
        registration_client_uri: client.uri,
        client_name: 'Renamed',
        redirect_uris: [REDIRECT_A, REDIRECT_B],
        logo_uri: LOGO,
      })
      expect(result.json).not.toHaveProperty('client_secret')
      const token = String(result.json?.registration_access_token)
      expect(await current(client, token)).toEqual(result.json)
    })

    it('R7592-14: replace, not augment: redirect_uris [A,B] + logo_uri, PUT [C] → exactly [C] and no logo_uri', async () => {
      const client = await registerConfidential()
      const result = await putClient(client.uri, client.token, {
        client_id: client.clientId,
        redirect_uris: [REDIRECT_C],
      })
      expect(result.status, result.text).toBe(200)
      expect(result.json?.redirect_uris).toEqual([REDIRECT_C])
      expect(result.json).not.toHaveProperty('logo_uri')
      expect(result.json).not.toHaveProperty('client_name')
      const after = await current(client, String(result.json?.registration_access_token))
      expect(after.redirect_uris).toEqual([REDIRECT_C])
      expect(after).not.toHaveProperty('logo_uri')
      expect(after).not.toHaveProperty('client_name')
      expect((await stored(client.clientId)).metadata).not.toHaveProperty('logo_uri')
    })

    it('R7592-14 / R7592-20 / A3: fields left out revert to their defaults, which the PUT answer states', async () => {
      const client = await registerManaged(server.url, {
        ...CONFIDENTIAL,
        scope: 'read',
        token_endpoint_auth_method: 'client_secret_post',
      })
      expect(client.body.grant_types).toEqual(['authorization_code', 'refresh_token'])
      const result = await putClient(client.uri, client.token, {
        client_id: client.clientId,
        redirect_uris: [REDIRECT_A],
      })
      expect(result.status, result.text).toBe(200)
      expect(result.json).toMatchObject({
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        application_type: 'web',
        scope: 'read write',
      })
    })

    it.each([
      {
        rule: 'an http redirect URI on a non-loopback host',
        changes: { redirect_uris: ['http://client.example/cb'] },
        code: 'invalid_redirect_uri',
      },
      {
        rule: 'jwks together with jwks_uri',
        changes: {
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: 'https://client.example/jwks.json',
          jwks: { keys: [] },
        },
        code: 'invalid_client_metadata',
      },
      {
        rule: 'an unknown grant type',
        changes: { grant_types: ['urn:example:unknown'] },
        code: 'invalid_client_metadata',
      },
    ])(
      'R7592-19: invalid metadata ($rule) → 400 $code; the record, and the token, stay as they were',
      async ({ changes, code }) => {
        const client = await registerConfidential()
        const before = await stored(client.clientId)
        const result = await putClient(
          client.uri,
          client.token,
          fullBody(client, CONFIDENTIAL, changes),
        )
        expectOAuthError(result, 400, code)
        expect(await stored(client.clientId)).toEqual(before)
        expect(await current(client)).toEqual(withoutSecret(client.body))
      },
    )

    it.each([
      ['registration_access_token', 'x'],
      ['registration_client_uri', 'https://attacker.example/register/x'],
      ['client_id_issued_at', 1],
      ['client_secret_expires_at', 0],
    ])(
      'R7592-18 / A4: %s in the body → 400 invalid_client_metadata, nothing changes',
      async (member, value) => {
        const client = await registerConfidential()
        const before = await stored(client.clientId)
        const result = await putClient(
          client.uri,
          client.token,
          fullBody(client, CONFIDENTIAL, { [member]: value }),
        )
        expectOAuthError(result, 400, 'invalid_client_metadata')
        expect(await stored(client.clientId)).toEqual(before)
      },
    )

    it('R7592-18 / A4: the server-only members echoed back as the GET gave them → 400 too', async () => {
      const client = await registerConfidential()
      const result = await putClient(client.uri, client.token, await current(client))
      expectOAuthError(result, 400, 'invalid_client_metadata')
    })

    it.each([
      { rule: 'missing', clientId: (_c: ManagedClient) => undefined },
      { rule: 'different', clientId: (c: ManagedClient) => `${c.clientId}x` },
      { rule: 'a number', clientId: (_c: ManagedClient) => 42 },
      { rule: 'null', clientId: (_c: ManagedClient) => null },
    ])(
      'R7592-16 / A5: client_id $rule → 400 invalid_client_metadata, nothing changes',
      async ({ clientId }) => {
        const client = await registerConfidential()
        const before = await stored(client.clientId)
        const { client_id: _id, ...body } = fullBody(client, CONFIDENTIAL)
        const id = clientId(client)
        const result = await putClient(
          client.uri,
          client.token,
          id === undefined ? body : { ...body, client_id: id },
        )
        expectOAuthError(result, 400, 'invalid_client_metadata')
        expect(await stored(client.clientId)).toEqual(before)
      },
    )

    it("R7592-16 / A5: another real client's client_id in the body → 400, neither client changes", async () => {
      const client = await registerConfidential()
      const other = await registerConfidential()
      const before = await Promise.all([stored(client.clientId), stored(other.clientId)])
      const result = await putClient(client.uri, client.token, {
        ...CONFIDENTIAL,
        client_id: other.clientId,
      })
      expectOAuthError(result, 400, 'invalid_client_metadata')
      expect(await Promise.all([stored(client.clientId), stored(other.clientId)])).toEqual(before)
    })

    it.each([
      { rule: 'a different secret', secret: () => freshToken() },
      { rule: 'an empty string', secret: () => '' },
      { rule: 'a non-string', secret: () => 12345 },
    ])(
      'R7592-17 / A6: a client_secret that does not match ($rule) → 400 invalid_client_metadata, nothing changes',
      async ({ secret }) => {
        const client = await registerConfidential()
        const before = await stored(client.clientId)
        const result = await putClient(
          client.uri,
          client.token,
          fullBody(client, CONFIDENTIAL, { client_secret: secret() }),
        )
        expectOAuthError(result, 400, 'invalid_client_metadata')
        expect(await stored(client.clientId)).toEqual(before)
      },
    )

    it('R7592-17 / A6: a client_secret on a client that has none → 400 invalid_client_metadata', async () => {
      const client = await registerPublic()
      const result = await putClient(
        client.uri,
        client.token,
        fullBody(client, PUBLIC, { client_secret: freshToken() }),
      )
      expectOAuthError(result, 400, 'invalid_client_metadata')
    })

    it('R7592-17 / A6: the matching client_secret → 200, not returned, and it still matches on a later PUT', async () => {
      const client = await registerConfidential()
      const secret = client.secret
      if (secret === null) throw new Error('a confidential client has a secret')
      const before = await stored(client.clientId)
      const first = await putClient(
        client.uri,
        client.token,
        fullBody(client, CONFIDENTIAL, { client_secret: secret }),
      )
      expect(first.status, first.text).toBe(200)
      expect(first.json).not.toHaveProperty('client_secret')
      expect(first.json?.client_secret_expires_at).toBe(0)
      expect((await stored(client.clientId)).clientSecretHash).toBe(before.clientSecretHash)
      const second = await putClient(
        client.uri,
        String(first.json?.registration_access_token),
        fullBody(client, CONFIDENTIAL, { client_secret: secret, client_name: 'Again' }),
      )
      expect(second.status, second.text).toBe(200)
      expect(second.json).not.toHaveProperty('client_secret')
      expect(second.json?.client_name).toBe('Again')
    })

    it('R7592-21 / R7592-11 / A7: rotation on update (default): the PUT answer has a new token, the old one gets 401 at once, the new one works', async () => {
      const client = await registerConfidential()
      const result = await putClient(client.uri, client.token, fullBody(client, CONFIDENTIAL))
      expect(result.status, result.text).toBe(200)
      const next = result.json?.registration_access_token
      if (typeof next !== 'string') throw new Error(`no token in ${result.text}`)
      expect(next).toMatch(TOKEN_SHAPE)
      expect(next).not.toBe(client.token)
      expectInvalidToken(await readClient(client.uri, client.token))
      expectInvalidToken(await putClient(client.uri, client.token, fullBody(client, CONFIDENTIAL)))
      expectInvalidToken(await deleteClient(client.uri, client.token))
      const after = await current(client, next)
      expect(after.registration_access_token).toBe(next)
      expect((await stored(client.clientId)).registrationAccessTokenHash).not.toBe(next)
    })

    it('a PUT that fails validation does not rotate the token', async () => {
      const client = await registerConfidential()
      const result = await putClient(
        client.uri,
        client.token,
        fullBody(client, CONFIDENTIAL, { redirect_uris: ['http://client.example/cb'] }),
      )
      expect(result.status).toBe(400)
      expect((await current(client)).registration_access_token).toBe(client.token)
    })

    it('?rotate_client_secret=true → a new client_secret in the PUT answer only; the old one no longer matches, the new one does', async () => {
      const client = await registerConfidential()
      const old = client.secret
      if (old === null) throw new Error('a confidential client has a secret')
      const rotated = await putClient(client.uri, client.token, fullBody(client, CONFIDENTIAL), {
        rotate_client_secret: 'true',
      })
      expect(rotated.status, rotated.text).toBe(200)
      const secret = rotated.json?.client_secret
      if (typeof secret !== 'string') throw new Error(`no client_secret in ${rotated.text}`)
      expect(secret).toMatch(TOKEN_SHAPE)
      expect(secret).not.toBe(old)
      expect(rotated.json?.client_secret_expires_at).toBe(0)
      const token = String(rotated.json?.registration_access_token)
      const after = await current(client, token)
      expect(after).not.toHaveProperty('client_secret')
      const withOld = await putClient(
        client.uri,
        token,
        fullBody(client, CONFIDENTIAL, { client_secret: old }),
      )
      expectOAuthError(withOld, 400, 'invalid_client_metadata')
      const withNew = await putClient(
        client.uri,
        token,
        fullBody(client, CONFIDENTIAL, { client_secret: secret }),
      )
      expect(withNew.status, withNew.text).toBe(200)
      expect(withNew.json).not.toHaveProperty('client_secret')
    })

    it('?rotate_client_secret=true on a none client → 400 invalid_client_metadata, nothing changes', async () => {
      const client = await registerPublic()
      const before = await stored(client.clientId)
      const result = await putClient(client.uri, client.token, fullBody(client, PUBLIC), {
        rotate_client_secret: 'true',
      })
      expectOAuthError(result, 400, 'invalid_client_metadata')
      expect(await stored(client.clientId)).toEqual(before)
    })

    it('switching a confidential client to none drops its secret: no client_secret_expires_at, none stored', async () => {
      const client = await registerConfidential()
      const result = await putClient(
        client.uri,
        client.token,
        fullBody(client, CONFIDENTIAL, { token_endpoint_auth_method: 'none' }),
      )
      expect(result.status, result.text).toBe(200)
      expect(result.json).not.toHaveProperty('client_secret')
      expect(result.json).not.toHaveProperty('client_secret_expires_at')
      const after = await current(client, String(result.json?.registration_access_token))
      expect(after.token_endpoint_auth_method).toBe('none')
      expect(after).not.toHaveProperty('client_secret_expires_at')
      expect((await stored(client.clientId)).clientSecretHash).toBeNull()
    })

    it('switching a none client to client_secret_basic issues a client_secret in the PUT answer, which then matches', async () => {
      const client = await registerPublic()
      const result = await putClient(
        client.uri,
        client.token,
        fullBody(client, PUBLIC, { token_endpoint_auth_method: 'client_secret_basic' }),
      )
      expect(result.status, result.text).toBe(200)
      const secret = result.json?.client_secret
      if (typeof secret !== 'string') throw new Error(`no client_secret in ${result.text}`)
      expect(secret).toMatch(TOKEN_SHAPE)
      expect(result.json?.client_secret_expires_at).toBe(0)
      const token = String(result.json?.registration_access_token)
      const after = await current(client, token)
      expect(after).not.toHaveProperty('client_secret')
      expect(after.client_secret_expires_at).toBe(0)
      const again = await putClient(
        client.uri,
        token,
        fullBody(client, PUBLIC, {
          token_endpoint_auth_method: 'client_secret_basic',
          client_secret: secret,
        }),
      )
      expect(again.status, again.text).toBe(200)
      expect(again.json).not.toHaveProperty('client_secret')
    })

    it.each([
      {
        rule: 'a Content-Type other than application/json → 415',
        headers: { 'Content-Type': 'text/plain' },
        body: '{}',
        status: 415,
        code: 'invalid_request',
      },
      {
        rule: 'malformed JSON → 400 invalid_client_metadata',
        headers: { 'Content-Type': 'application/json' },
        body: '{"client_id":',
        status: 400,
        code: 'invalid_client_metadata',
      },
      {
        rule: 'a JSON array → 400 invalid_client_metadata',
        headers: { 'Content-Type': 'application/json' },
        body: '[]',
        status: 400,
        code: 'invalid_client_metadata',
      },
    ])('A11: a PUT body with $rule, nothing changes', async ({ headers, body, status, code }) => {
      const client = await registerConfidential()
      const before = await stored(client.clientId)
      const result = await send(client.uri, {
        method: 'PUT',
        headers: { ...headers, Authorization: `Bearer ${client.token}` },
        body,
      })
      expectOAuthError(result, status, code)
      expect(await stored(client.clientId)).toEqual(before)
    })

    it('a body over maxBodyBytes → 413 with the token, but 401 without one (authentication comes first)', async () => {
      const client = await registerConfidential()
      const body = fullBody(client, CONFIDENTIAL, { client_name: 'x'.repeat(70_000) })
      expectOAuthError(await putClient(client.uri, client.token, body), 413, 'invalid_request')
      expectInvalidToken(await putClient(client.uri, freshToken(), body))
      expect((await current(client)).client_name).toBe(CONFIDENTIAL.client_name)
    })

    it('R7592-13 / A3: the GET answer minus the server-only members, PUT back as is → 200 and the registration is unchanged', async () => {
      const client = await registerConfidential()
      const read = await current(client)
      const {
        registration_access_token: _token,
        registration_client_uri: _uri,
        client_id_issued_at: _issued,
        client_secret_expires_at: _expires,
        ...body
      } = read
      const result = await putClient(client.uri, client.token, body)
      expect(result.status, result.text).toBe(200)
      const { registration_access_token: next, ...rest } = result.json ?? {}
      const { registration_access_token: _old, ...before } = read
      expect(rest).toEqual(before)
      expect(await current(client, String(next))).toEqual(result.json)
    })

    it('R7592-14: a localized client_name#fr left out of the PUT is gone', async () => {
      const client = await registerManaged(server.url, {
        ...CONFIDENTIAL,
        'client_name#fr': 'Configurable (fr)',
      })
      expect(client.body['client_name#fr']).toBe('Configurable (fr)')
      const result = await putClient(client.uri, client.token, fullBody(client, CONFIDENTIAL))
      expect(result.status, result.text).toBe(200)
      expect(result.json).not.toHaveProperty('client_name#fr')
      const after = await current(client, String(result.json?.registration_access_token))
      expect(after).not.toHaveProperty('client_name#fr')
    })
  })

  describe('CORS on the configuration endpoint', () => {
    it('answers, refusals included, allow any origin and expose WWW-Authenticate to scripts', async () => {
      const client = await registerConfidential()
      for (const result of [
        await readClient(client.uri, client.token),
        await readClient(client.uri, freshToken()),
      ]) {
        expect(result.headers.get('access-control-allow-origin')).toBe('*')
        expect(result.headers.get('access-control-expose-headers')?.toLowerCase()).toContain(
          'www-authenticate',
        )
        expect(result.headers.get('access-control-allow-credentials')).toBeNull()
      }
    })
  })

  describe('DELETE registration_client_uri (RFC 7592 §2.3)', () => {
    it('R7592-23 / A9: → 204 with an empty body and no Content-Type; the client is gone from the store', async () => {
      const client = await registerConfidential()
      const result = await deleteClient(client.uri, client.token)
      expect(result.status).toBe(204)
      expect(result.text).toBe('')
      expect(result.headers.get('content-type')).toBeNull()
      expect(await server.store.getClient(client.clientId)).toBeNull()
    })

    it.each([
      ['GET', (c: ManagedClient) => readClient(c.uri, c.token)],
      ['PUT', (c: ManagedClient) => putClient(c.uri, c.token, fullBody(c, CONFIDENTIAL))],
      ['DELETE', (c: ManagedClient) => deleteClient(c.uri, c.token)],
    ] as const)(
      'R7592-23 / R7592-25: after DELETE, %s with the token → 401 invalid_token',
      async (_method, call) => {
        const client = await registerConfidential()
        expect((await deleteClient(client.uri, client.token)).status).toBe(204)
        expectInvalidToken(await call(client))
        expect(await server.store.getClient(client.clientId)).toBeNull()
      },
    )
  })

  describe('refused tokens (RFC 7592 §2.1, RFC 6750 §3.1, docs/decisions.md A1, A2)', () => {
    type Method = 'GET' | 'PUT' | 'DELETE'
    const call = (method: Method, uri: string, headers: Record<string, string>, id: string) =>
      send(uri, {
        method,
        headers:
          method === 'PUT' ? { ...headers, 'Content-Type': 'application/json' } : { ...headers },
        ...(method === 'PUT' ? { body: JSON.stringify({ ...CONFIDENTIAL, client_id: id }) } : {}),
      })

    interface Scenario {
      readonly uri: string
      readonly headers: Record<string, string>
      /** The client_id sent in a PUT body. */
      readonly id: string
      /** The client that must be left exactly as it was, when there is one. */
      readonly target: string | null
    }

    const scenarios: ReadonlyArray<{
      readonly rule: string
      readonly build: () => Promise<Scenario>
    }> = [
      {
        rule: 'unknown client_id (a random token)',
        build: async () => {
          const id = freshToken().slice(0, 22)
          return {
            uri: serverClientUri(server, id),
            headers: { Authorization: `Bearer ${freshToken()}` },
            id,
            target: null,
          }
        },
      },
      {
        rule: 'wrong token on a real client',
        build: async () => {
          const c = await registerConfidential()
          const headers = { Authorization: `Bearer ${freshToken()}` }
          return { uri: c.uri, headers, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'no Authorization header',
        build: async () => {
          const c = await registerConfidential()
          return { uri: c.uri, headers: {}, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'an empty Bearer header',
        build: async () => {
          const c = await registerConfidential()
          const headers = { Authorization: 'Bearer ' }
          return { uri: c.uri, headers, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'a malformed Bearer header (two tokens)',
        build: async () => {
          const c = await registerConfidential()
          const headers = { Authorization: `Bearer ${c.token} ${c.token}` }
          return { uri: c.uri, headers, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'the token under the Basic scheme',
        build: async () => {
          const c = await registerConfidential()
          const headers = { Authorization: `Basic ${c.token}` }
          return { uri: c.uri, headers, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'the token with one character changed',
        build: async () => {
          const c = await registerConfidential()
          const flipped = `${c.token.slice(0, -1)}${c.token.endsWith('A') ? 'B' : 'A'}`
          const headers = { Authorization: `Bearer ${flipped}` }
          return { uri: c.uri, headers, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'R7592-06: the token in the query string (?access_token=)',
        build: async () => {
          const c = await registerConfidential()
          const url = new URL(c.uri)
          url.searchParams.set('access_token', c.token)
          return { uri: url.href, headers: {}, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: 'a rotated-out token',
        build: async () => {
          const c = await registerConfidential()
          const put = await putClient(c.uri, c.token, fullBody(c, CONFIDENTIAL))
          expect(put.status).toBe(200)
          const headers = { Authorization: `Bearer ${c.token}` }
          return { uri: c.uri, headers, id: c.clientId, target: c.clientId }
        },
      },
      {
        rule: "another client's token",
        build: async () => {
          const [a, b] = await Promise.all([registerConfidential(), registerConfidential()])
          const headers = { Authorization: `Bearer ${a.token}` }
          return { uri: b.uri, headers, id: b.clientId, target: b.clientId }
        },
      },
      {
        rule: 'a deleted client’s token',
        build: async () => {
          const c = await registerConfidential()
          expect((await deleteClient(c.uri, c.token)).status).toBe(204)
          const headers = { Authorization: `Bearer ${c.token}` }
          return { uri: c.uri, headers, id: c.clientId, target: null }
        },
      },
    ]

    /** The reference refusal: a random token on an unknown client, by GET. */
    async function reference(): Promise<ReturnType<typeof refusalShape>> {
      const id = freshToken().slice(0, 22)
      const result = await readClient(serverClientUri(server, id), freshToken())
      expectInvalidToken(result)
      return refusalShape(result)
    }

    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      it.each(scenarios)(
        `R7592-05 / R7592-07 / A1: ${method} with $rule → the same 401 invalid_token, byte for byte; nothing changes`,
        async ({ build }) => {
          const scenario = await build()
          const before =
            scenario.target === null ? null : await server.store.getClient(scenario.target)
          const result = await call(method, scenario.uri, scenario.headers, scenario.id)
          expectInvalidToken(result)
          expect(refusalShape(result)).toEqual(await reference())
          if (scenario.target !== null) {
            expect(await server.store.getClient(scenario.target)).toEqual(before)
          }
        },
      )
    }

    it.each(['GET', 'PUT', 'DELETE'] as const)(
      "R7592-08 (RFC 7592 §2.1 SHOULD): client A's token on B's URI by %s → 401, and A's token is revoked: it fails on A's own URI too; B is untouched",
      async (method) => {
        const [a, b] = await Promise.all([registerConfidential(), registerConfidential()])
        const bBefore = await stored(b.clientId)
        expectInvalidToken(
          await call(method, b.uri, { Authorization: `Bearer ${a.token}` }, b.clientId),
        )
        expectInvalidToken(await readClient(a.uri, a.token))
        expect((await stored(a.clientId)).registrationAccessTokenHash).toBeNull()
        expect(await stored(b.clientId)).toEqual(bBefore)
        expect((await readClient(b.uri, b.token)).status).toBe(200)
      },
    )

    it('a malformed percent-encoding in the client_id segment → 401 invalid_token, not 500', async () => {
      const client = await registerConfidential()
      const uri = new URL('%E0%A4%A', client.uri).href
      expectInvalidToken(await readClient(uri, client.token))
    })
  })

  describe('methods (RFC 7592 §2, R7592-10)', () => {
    it.each(['POST', 'PATCH'])(
      '%s on registration_client_uri → 405 with an Allow header naming GET, PUT and DELETE; nothing changes',
      async (method) => {
        const client = await registerConfidential()
        const before = await stored(client.clientId)
        const result = await send(client.uri, {
          method,
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${client.token}` },
          body: JSON.stringify(fullBody(client, CONFIDENTIAL, { client_name: 'Patched' })),
        })
        expectOAuthError(result, 405, 'method_not_allowed')
        const allow = (result.headers.get('allow') ?? '').split(',').map((m) => m.trim())
        expect(allow).toEqual(expect.arrayContaining(['GET', 'PUT', 'DELETE']))
        expect(await stored(client.clientId)).toEqual(before)
      },
    )

    it('an OPTIONS preflight → 204 allowing GET, PUT and DELETE with the Authorization header', async () => {
      const client = await registerConfidential()
      const result = await send(client.uri, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      })
      expect(result.status).toBe(204)
      const methods = (result.headers.get('access-control-allow-methods') ?? '')
        .split(',')
        .map((m) => m.trim())
      expect(methods).toEqual(expect.arrayContaining(['GET', 'PUT', 'DELETE']))
      expect(result.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
        'authorization',
      )
    })
  })

  it('full round trip: register → GET → PUT → GET → DELETE → GET (401)', async () => {
    const client = await registerConfidential()

    const read1 = await readClient(client.uri, client.token)
    expect(read1.status).toBe(200)
    expect(read1.json).toEqual(withoutSecret(client.body))

    const put = await putClient(client.uri, client.token, {
      client_id: client.clientId,
      redirect_uris: [REDIRECT_C],
      client_name: 'Round trip',
    })
    expect(put.status, put.text).toBe(200)
    const token = put.json?.registration_access_token
    if (typeof token !== 'string') throw new Error(`no token in ${put.text}`)

    const read2 = await readClient(client.uri, token)
    expect(read2.status).toBe(200)
    expect(read2.json).toEqual(put.json)
    expect(read2.json).toMatchObject({
      client_id: client.clientId,
      redirect_uris: [REDIRECT_C],
      client_name: 'Round trip',
    })
    expect(read2.json).not.toHaveProperty('logo_uri')

    const removed = await deleteClient(client.uri, token)
    expect(removed.status).toBe(204)
    expect(removed.text).toBe('')

    expectInvalidToken(await readClient(client.uri, token))
  })
})

describe('registration.registrationAccessToken.rotateOnUpdate: false', () => {
  it('A7: the PUT answer echoes the same token, which keeps working', async () => {
    await withServer(
      { registration: { rateLimit: false, registrationAccessToken: { rotateOnUpdate: false } } },
      async (server) => {
        const client = await registerManaged(server.url, { ...CONFIDENTIAL })
        const before = await server.store.getClient(client.clientId)
        for (const name of ['First', 'Second']) {
          const result = await putClient(client.uri, client.token, {
            ...CONFIDENTIAL,
            client_id: client.clientId,
            client_name: name,
          })
          expect(result.status, result.text).toBe(200)
          expect(result.json?.registration_access_token).toBe(client.token)
        }
        const read = await readClient(client.uri, client.token)
        expect(read.status).toBe(200)
        expect(read.json?.client_name).toBe('Second')
        expect((await server.store.getClient(client.clientId))?.registrationAccessTokenHash).toBe(
          before?.registrationAccessTokenHash,
        )
      },
    )
  })
})

describe('registration.registrationAccessToken.expiresInSeconds', () => {
  it('the expiry is stored as issued-at + lifetime; by default the token does not expire (R7592-22)', async () => {
    await withServer({ registration: { rateLimit: false } }, async (server) => {
      const client = await registerManaged(server.url, { ...CONFIDENTIAL })
      const record = await server.store.getClient(client.clientId)
      expect(record?.registrationAccessTokenExpiresAt).toBeNull()
    })
    await withServer(
      { registration: { rateLimit: false, registrationAccessToken: { expiresInSeconds: 1 } } },
      async (server) => {
        const client = await registerManaged(server.url, { ...CONFIDENTIAL })
        const record = await server.store.getClient(client.clientId)
        expect(record?.registrationAccessTokenExpiresAt).toBe(
          Number(client.body.client_id_issued_at) + 1,
        )
      },
    )
  })

  it('R7592-05: an expired token → 401 invalid_token on GET, PUT and DELETE, identical to an unknown client; the client stays', async () => {
    await withServer(
      { registration: { rateLimit: false, registrationAccessToken: { expiresInSeconds: 1 } } },
      async (server) => {
        // Start early in a second, so that the token is still fresh for the first GET.
        while (Date.now() % 1000 > 300) await new Promise((r) => setTimeout(r, 20))
        const client = await registerManaged(server.url, { ...CONFIDENTIAL })
        expect((await readClient(client.uri, client.token)).status).toBe(200)
        await new Promise((r) => setTimeout(r, 2100))
        const results: HttpResult[] = [
          await readClient(client.uri, client.token),
          await putClient(client.uri, client.token, {
            ...CONFIDENTIAL,
            client_id: client.clientId,
          }),
          await deleteClient(client.uri, client.token),
        ]
        const unknown = await readClient(serverClientUri(server, 'no-such-client'), freshToken())
        for (const result of results) {
          expectInvalidToken(result)
          expect(refusalShape(result)).toEqual(refusalShape(unknown))
        }
        expect(await server.store.getClient(client.clientId)).not.toBeNull()
      },
    )
  })
})

describe('clients created by an administrator (R7592-09)', () => {
  it.each([
    ['GET', (uri: string, token: string) => readClient(uri, token)],
    [
      'PUT',
      (uri: string, token: string) =>
        putClient(uri, token, { client_id: 'admin-1', redirect_uris: [REDIRECT_C] }),
    ],
    ['DELETE', (uri: string, token: string) => deleteClient(uri, token)],
  ] as const)(
    'by default, %s with its own token → 403 access_denied, nothing changes',
    async (_method, call) => {
      await withServer({ registration: { rateLimit: false } }, async (server) => {
        const token = freshToken()
        await server.store.createClient(storeRecord('admin-1', token, 'admin'))
        const before = await server.store.getClient('admin-1')
        const result = await call(serverClientUri(server, 'admin-1'), token)
        expectOAuthError(result, 403, 'access_denied')
        expect(await server.store.getClient('admin-1')).toEqual(before)
      })
    },
  )

  it('a wrong token on an administrator’s client is still 401, so 403 reveals nothing to strangers', async () => {
    await withServer({ registration: { rateLimit: false } }, async (server) => {
      await server.store.createClient(storeRecord('admin-1', freshToken(), 'admin'))
      expectInvalidToken(await readClient(serverClientUri(server, 'admin-1'), freshToken()))
    })
  })

  it('with manageAdminClients: true, GET with its token → 200', async () => {
    await withServer(
      { registration: { rateLimit: false, manageAdminClients: true } },
      async (server) => {
        const token = freshToken()
        await server.store.createClient(storeRecord('admin-1', token, 'admin'))
        const result = await readClient(serverClientUri(server, 'admin-1'), token)
        expect(result.status, result.text).toBe(200)
        expect(result.json).toMatchObject({
          client_id: 'admin-1',
          registration_access_token: token,
          client_name: 'admin client',
        })
      },
    )
  })
})

describe('registration.management: false', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false, management: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  it('registration answers carry neither registration_access_token nor registration_client_uri, and nothing is stored', async () => {
    const result = await register(server.url, CONFIDENTIAL)
    expect(result.status).toBe(201)
    expect(result.body).not.toHaveProperty('registration_access_token')
    expect(result.body).not.toHaveProperty('registration_client_uri')
    expect(result.headers.get('location')).toBeNull()
    const record = await server.store.getClient(String(result.body.client_id))
    expect(record?.registrationAccessTokenHash).toBeNull()
  })

  it.each(['GET', 'PUT', 'DELETE'])(
    'A1, A29: %s /register/<client_id> → 404 (the endpoint does not exist), even with a token the store knows',
    async (method) => {
      const token = freshToken()
      await server.store.createClient(storeRecord(`stored-${method}`, token, 'dynamic'))
      const result = await send(serverClientUri(server, `stored-${method}`), {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(method === 'PUT'
          ? { body: JSON.stringify({ client_id: `stored-${method}`, redirect_uris: [REDIRECT_C] }) }
          : {}),
      })
      expect(result.status).toBe(404)
      expect(await server.store.getClient(`stored-${method}`)).not.toBeNull()
    },
  )
})

describe("registration.mode 'disabled' with management on", () => {
  it('clients already registered keep managing themselves: GET → 200, PUT → 200, while POST /register → 404', async () => {
    await withServer({ registration: { mode: 'disabled' } }, async (server) => {
      const token = freshToken()
      await server.store.createClient(storeRecord('existing', token, 'dynamic'))
      const uri = serverClientUri(server, 'existing')
      const read = await readClient(uri, token)
      expect(read.status, read.text).toBe(200)
      expect(read.json).toMatchObject({ client_id: 'existing', registration_client_uri: uri })
      const put = await putClient(uri, token, {
        client_id: 'existing',
        redirect_uris: [REDIRECT_C],
        token_endpoint_auth_method: 'none',
      })
      expect(put.status, put.text).toBe(200)
      expect(put.json?.redirect_uris).toEqual([REDIRECT_C])
      expect((await register(server.url, CONFIDENTIAL)).status).toBe(404)
    })
  })
})

describe('registration_client_uri under an issuer with a path', () => {
  it('the URI is {issuer}/register/{client_id} with the issuer path, and works there; the root path is not it', async () => {
    await withServer(
      { issuerPath: '/tenant', registration: { rateLimit: false } },
      async (server) => {
        const result = await register(`${server.url}/tenant`, CONFIDENTIAL)
        expect(result.status).toBe(201)
        const uri = String(result.body.registration_client_uri)
        const token = String(result.body.registration_access_token)
        expect(uri).toBe(`${server.issuer}/register/${String(result.body.client_id)}`)
        expect(new URL(uri).pathname.startsWith('/tenant/register/')).toBe(true)
        expect((await readClient(uri, token)).status).toBe(200)
        const outside = new URL(new URL(uri).pathname.replace(/^\/tenant/, ''), uri).href
        expect((await readClient(outside, token)).status).toBe(404)
        expect((await readClient(uri, token)).status).toBe(200)
      },
    )
  })
})

describe('client ids that need percent-encoding in registration_client_uri', () => {
  it.each(['with space', 'slash/inside', 'colon:and?query#hash', 'ünïcödé'])(
    'a stored client with id %j is read, replaced and deleted at the URI the server computes',
    async (id) => {
      await withServer({ registration: { rateLimit: false } }, async (server) => {
        const token = freshToken()
        await server.store.createClient(storeRecord(id, token, 'dynamic'))
        const uri = serverClientUri(server, id)
        const read = await readClient(uri, token)
        expect(read.status, read.text).toBe(200)
        expect(read.json).toMatchObject({ client_id: id, registration_client_uri: uri })
        const put = await putClient(uri, token, {
          client_id: id,
          redirect_uris: [REDIRECT_C],
          token_endpoint_auth_method: 'none',
        })
        expect(put.status, put.text).toBe(200)
        const next = String(put.json?.registration_access_token)
        expect((await deleteClient(uri, next)).status).toBe(204)
        expect(await server.store.getClient(id)).toBeNull()
      })
    },
  )
})

describe('registration.clientSecretExpiresInSeconds with the configuration endpoint', () => {
  it('GET and a plain PUT keep client_secret_expires_at; a rotated secret gets a new expiry from now', async () => {
    await withServer(
      { registration: { rateLimit: false, clientSecretExpiresInSeconds: 3600 } },
      async (server) => {
        const client = await registerManaged(server.url, { ...CONFIDENTIAL })
        const expiresAt = Number(client.body.client_secret_expires_at)
        expect(expiresAt).toBe(Number(client.body.client_id_issued_at) + 3600)
        const read = await readClient(client.uri, client.token)
        expect(read.json?.client_secret_expires_at).toBe(expiresAt)
        const plain = await putClient(client.uri, client.token, fullBody(client, CONFIDENTIAL))
        expect(plain.status, plain.text).toBe(200)
        expect(plain.json?.client_secret_expires_at).toBe(expiresAt)
        const before = nowSeconds()
        const rotated = await putClient(
          client.uri,
          String(plain.json?.registration_access_token),
          fullBody(client, CONFIDENTIAL),
          { rotate_client_secret: 'true' },
        )
        expect(rotated.status, rotated.text).toBe(200)
        expect(Number(rotated.json?.client_secret_expires_at)).toBeGreaterThanOrEqual(before + 3600)
      },
    )
  })
})
