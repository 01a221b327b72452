import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GrantType } from '../../src/core/registration/client-metadata.js'
import { GRANT_TYPES } from '../../src/core/registration/client-metadata.js'
import type { Logger } from '../../src/logger.js'
import { createRegistrar } from '../../src/registrar.js'
import { putClient, registerManaged } from '../support/client-configuration.js'
import { expectOAuthError, postJson, REDIRECT_URI, send } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const EVERY_GRANT: readonly GrantType[] = GRANT_TYPES

/** A registration body asking for one grant, with what that grant needs besides. */
const BODY_FOR: Readonly<Record<string, Record<string, unknown>>> = {
  password: { grant_types: ['password'] },
  implicit: { grant_types: ['implicit'], redirect_uris: [REDIRECT_URI] },
  [JWT_BEARER]: { grant_types: [JWT_BEARER] },
}

/** Each grant the defaults cannot serve, and what the refusal must say about why. */
const UNSERVED: readonly (readonly [grant: string, says: string])[] = [
  ['password', 'is not enabled on this server (authorization.password)'],
  ['implicit', 'is not enabled on this server (authorization.implicit)'],
  [JWT_BEARER, 'is not implemented by this server'],
]

describe('A42: grants the server cannot serve are refused at registration, even when allowed', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, allowedGrantTypes: [...EVERY_GRANT] },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it.each(UNSERVED)(
    'RFC 7591 §3.2.2: POST /register with grant_types [%s] → 400 invalid_client_metadata, saying why',
    async (grant, says) => {
      const before = (await server.store.listClients()).length
      const result = await postJson(server.url, BODY_FOR[grant])
      expectOAuthError(result, 400, 'invalid_client_metadata')
      expect(result.json?.error_description).toContain(`grant_types value '${grant}' ${says}`)
      expect((await server.store.listClients()).length).toBe(before)
    },
  )

  it.each(UNSERVED)(
    'RFC 7592 §2.2: a PUT asking for [%s] → 400 invalid_client_metadata, registration unchanged',
    async (grant, says) => {
      const client = await registerManaged(server.url, { redirect_uris: [REDIRECT_URI] })
      const put = await putClient(client.uri, client.token, {
        client_id: client.clientId,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', grant],
        response_types: grant === 'implicit' ? ['code', 'token'] : ['code'],
      })
      expectOAuthError(put, 400, 'invalid_client_metadata')
      expect(put.json?.error_description).toContain(says)
      const stored = await server.store.getClient(client.clientId)
      expect(stored?.metadata.grant_types).toEqual(['authorization_code'])
    },
  )

  it('RFC 8414 §2: discovery lists only the grants that work, none of the refused ones', async () => {
    const result = await send(`${server.url}/.well-known/oauth-authorization-server`)
    expect(result.status).toBe(200)
    expect(result.json?.grant_types_supported).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
    ])
  })
})

describe('A42: with the switches on, the same grants register', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      registration: { rateLimit: false, allowedGrantTypes: [...EVERY_GRANT] },
      authorization: { implicit: true, password: true },
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it.each(['password', 'implicit'])('grant_types [%s] → 201', async (grant) => {
    const result = await postJson(server.url, BODY_FOR[grant])
    expect(result.status, result.text).toBe(201)
    expect(result.json?.grant_types).toEqual([grant])
  })

  it('jwt-bearer is still refused: no switch implements it', async () => {
    const result = await postJson(server.url, BODY_FOR[JWT_BEARER])
    expectOAuthError(result, 400, 'invalid_client_metadata')
    expect(result.json?.error_description).toContain('not implemented')
  })

  it('RFC 8414 §2: discovery lists password and implicit now, and still not jwt-bearer', async () => {
    const result = await send(`${server.url}/.well-known/oauth-authorization-server`)
    const listed = result.json?.grant_types_supported as string[]
    expect(listed).toContain('password')
    expect(listed).toContain('implicit')
    expect(listed).not.toContain(JWT_BEARER)
  })
})

describe('A42: start-up warns once about an allow-list naming grants that cannot be served', () => {
  function recordingLogger(): { readonly logger: Logger; readonly warnings: unknown[][] } {
    const warnings: unknown[][] = []
    const ignore = () => {}
    return {
      warnings,
      logger: { info: ignore, error: ignore, warn: (...call) => warnings.push(call) },
    }
  }
  const store = { getClient: () => Promise.resolve(null) } as never

  it('names each unserved grant and why, in one warning', () => {
    const { logger, warnings } = recordingLogger()
    createRegistrar({
      issuer: 'https://as.example',
      store,
      logger,
      registration: { allowedGrantTypes: ['authorization_code', 'password', JWT_BEARER] },
    })
    expect(warnings).toEqual([
      [
        {
          grant_types: [
            "'password' is not enabled on this server (authorization.password)",
            `'${JWT_BEARER}' is not implemented by this server`,
          ],
        },
        expect.stringContaining('registration.allowedGrantTypes'),
      ],
    ])
  })

  it.each([
    ['the default allow-list', {}],
    [
      'password and implicit listed and switched on',
      {
        registration: { allowedGrantTypes: ['authorization_code', 'password', 'implicit'] },
        authorization: { implicit: true, password: true },
      },
    ],
  ] as const)('%s: no warning', (_name, options) => {
    const { logger, warnings } = recordingLogger()
    createRegistrar({ issuer: 'https://as.example', store, logger, ...options })
    expect(warnings).toEqual([])
  })
})
