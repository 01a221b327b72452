import { expect } from 'vitest'
import { registrationClientUri } from '../../src/core/discovery/authorization-server-metadata.js'
import type { HttpResult } from './http-helpers.js'
import { send } from './http-helpers.js'
import type { TestServer } from './test-server.js'
import { register } from './test-server.js'

/** A client registered through POST /register, with the management credentials it was given. */
export interface ManagedClient {
  readonly clientId: string
  /** registration_access_token as the 201 gave it. */
  readonly token: string
  /** registration_client_uri as the 201 gave it; requests go to this URI, never a built one. */
  readonly uri: string
  /** client_secret as the 201 gave it; null for clients without one. */
  readonly secret: string | null
  /** The whole 201 body. */
  readonly body: Record<string, unknown>
  readonly headers: Headers
}

/** Registers `body` and returns the client's credentials, failing unless the answer is a 201. */
export async function registerManaged(
  base: string,
  body: Record<string, unknown>,
): Promise<ManagedClient> {
  const result = await register(base, body)
  if (result.status !== 201) {
    throw new Error(`registration failed: ${result.status} ${JSON.stringify(result.body)}`)
  }
  const { client_id, registration_access_token, registration_client_uri, client_secret } =
    result.body
  if (
    typeof client_id !== 'string' ||
    typeof registration_access_token !== 'string' ||
    typeof registration_client_uri !== 'string'
  ) {
    throw new Error(
      `registration answer lacks management credentials: ${JSON.stringify(result.body)}`,
    )
  }
  return {
    clientId: client_id,
    token: registration_access_token,
    uri: registration_client_uri,
    secret: typeof client_secret === 'string' ? client_secret : null,
    body: result.body,
    headers: result.headers,
  }
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` }
}

/** GET registration_client_uri with the token as a Bearer header (null: no Authorization). */
export function readClient(
  uri: string,
  token: string | null,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpResult> {
  return send(uri, { headers: { ...(token === null ? {} : bearer(token)), ...headers } })
}

/** PUT a JSON body to registration_client_uri, optionally with query parameters added. */
export function putClient(
  uri: string,
  token: string | null,
  body: unknown,
  query: Readonly<Record<string, string>> = {},
): Promise<HttpResult> {
  const url = new URL(uri)
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
  return send(url.href, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : bearer(token)),
    },
    body: JSON.stringify(body),
  })
}

export function deleteClient(uri: string, token: string | null): Promise<HttpResult> {
  return send(uri, { method: 'DELETE', headers: token === null ? {} : bearer(token) })
}

/**
 * The configuration URI of a client that was never given one in a registration answer (created
 * in the store directly, or unknown): computed by the server's own function, not by the test.
 */
export function serverClientUri(server: TestServer, clientId: string): string {
  return registrationClientUri(server.registrar.options, clientId)
}

/** The registration answer minus what only a registration or a rotation shows (client_secret). */
export function withoutSecret(body: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _secret, ...rest } = body
  return rest
}

/** RFC 7592 §2.1 / docs/decisions.md A1: the one 401 every refused registration access token gets. */
export function expectInvalidToken(result: HttpResult): void {
  expect({ status: result.status, error: result.json?.error }, result.text).toEqual({
    status: 401,
    error: 'invalid_token',
  })
  expect(result.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
  expect(result.headers.get('content-type')).toMatch(/^application\/json/)
}

/** What must be byte-identical between two refusals (docs/decisions.md A1). */
export function refusalShape(result: HttpResult): {
  status: number
  wwwAuthenticate: string | null
  contentType: string | null
  body: string
} {
  return {
    status: result.status,
    wwwAuthenticate: result.headers.get('www-authenticate'),
    contentType: result.headers.get('content-type'),
    body: result.text,
  }
}

/** 43 base64url characters or more: 256 random bits, unpadded. */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43,}$/
