import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOAuthError, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

/** A public native client: the kind of client private-use schemes are for (A17). */
const NATIVE_PUBLIC = { application_type: 'native', token_endpoint_auth_method: 'none' } as const

describe('RFC 8252 §7.1, A42: POST /register takes only schemes that look like private-use ones', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })

  it.each([
    'view-source:https://c.example/cb',
    'chrome://settings/cb',
    'filesystem:https://c.example/temporary/cb',
    'ws://c.example/cb',
    'ftp://c.example/cb',
    'mailto:cb@c.example',
    'tel:+15550100',
    'ms-settings:privacy',
  ])('%s → 400 invalid_redirect_uri naming the rule', async (uri) => {
    const result = await postJson(server.url, { ...NATIVE_PUBLIC, redirect_uris: [uri] })
    expectOAuthError(result, 400, 'invalid_redirect_uri')
    expect(result.json?.error_description).toContain('handles itself')
  })

  it.each([
    'cursor://anysphere.cursor-retrieval/oauth/user-callback',
    'vscode://publisher.extension/auth',
    'claude://oauth/callback',
    'com.example.app:/oauth2redirect',
  ])('%s (a real client scheme or a reverse-domain one) → 201', async (uri) => {
    const result = await postJson(server.url, { ...NATIVE_PUBLIC, redirect_uris: [uri] })
    expect(result.status, result.text).toBe(201)
    expect(result.json?.redirect_uris).toEqual([uri])
  })
})
