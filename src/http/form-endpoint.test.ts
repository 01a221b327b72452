import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OAuthError } from '../errors.js'
import { silentLogger } from '../logger.js'
import { mountFormEndpoint } from './form-endpoint.js'
import type { HandlerEnv } from './handler-env.js'

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' }

/** Three endpoints: JSON answer with CORS, JSON answer without, no body (RFC 7009 §2.2). */
function app(): Hono<HandlerEnv> {
  const hono = new Hono<HandlerEnv>()
  mountFormEndpoint(hono, {
    path: '/token',
    name: 'token endpoint',
    cors: true,
    logger: silentLogger,
    async handle(_request, params) {
      if (params.get('fail') !== null) throw new OAuthError('invalid_grant', 'no such grant')
      return { access_token: 'at', token_type: 'Bearer' }
    },
  })
  mountFormEndpoint(hono, {
    path: '/introspect',
    name: 'introspection endpoint',
    cors: false,
    logger: silentLogger,
    handle: async () => ({ active: false }),
  })
  mountFormEndpoint(hono, {
    path: '/revoke',
    name: 'revocation endpoint',
    cors: true,
    logger: silentLogger,
    handle: async () => null,
  })
  return hono
}

type Case = readonly [
  name: string,
  method: 'POST' | 'GET',
  path: string,
  body: string | null,
  status: number,
  contentType: string | null,
  cors: boolean,
]

const CASES: readonly Case[] = [
  ['a JSON answer', 'POST', '/token', '', 200, 'application/json; charset=utf-8', true],
  [
    'a JSON answer without CORS',
    'POST',
    '/introspect',
    '',
    200,
    'application/json; charset=utf-8',
    false,
  ],
  ['an answer with no body', 'POST', '/revoke', '', 200, null, true],
  ['an error', 'POST', '/token', 'fail=1', 400, 'application/json; charset=utf-8', true],
  ['a 405 for another method', 'GET', '/token', null, 405, 'application/json; charset=utf-8', true],
]

function expectHeaders(response: Response, [, , , , status, contentType, cors]: Case): void {
  expect(response.status).toBe(status)
  // RFC 6749 §5.1, docs/decisions.md A27: success or error, never cached.
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(response.headers.get('pragma')).toBe('no-cache')
  expect(response.headers.get('content-type')).toBe(contentType)
  expect(response.headers.get('access-control-allow-origin')).toBe(cors ? '*' : null)
}

describe('RFC 6749 §5.1: every form endpoint answer carries no-store, and CORS where enabled', () => {
  it.each(CASES)('in process: %s', async (...c) => {
    const [, method, path, body] = c
    const response = await app().request(
      path,
      {
        method,
        ...(body === null ? {} : { headers: FORM, body }),
      },
      {},
    )
    expectHeaders(response, c)
  })

  describe('on the wire through @hono/node-server, whose Response keeps plain header objects', () => {
    const hono = app()
    const server = createServer(getRequestListener((request) => hono.fetch(request, {})))
    let origin = ''
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve))
    })

    it.each(CASES)('%s', async (...c) => {
      const [, method, path, body] = c
      const response = await fetch(`${origin}${path}`, {
        method,
        ...(body === null ? {} : { headers: FORM, body }),
      })
      expectHeaders(response, c)
      if (c[4] === 200 && c[5] !== null) expect(await response.json()).toBeTypeOf('object')
      else await response.arrayBuffer()
    })
  })
})
