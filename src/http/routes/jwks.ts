import type { Hono } from 'hono'
import { publicJwks } from '../../core/tokens/public-jwks.js'
import { CORS_HEADERS, preflightResponse } from '../cors.js'
import type { HandlerEnv } from '../handler-env.js'

/**
 * RFC 8414 §2 jwks_uri: GET `{issuer path}/jwks`, the public key JWT access tokens are signed
 * with (RFC 9068 §4). The key only changes with the configuration, so the body is built once.
 */
export function mountJwksRoute(
  app: Hono<HandlerEnv>,
  path: string,
  signingKey: Readonly<Record<string, unknown>>,
): void {
  const body = JSON.stringify(publicJwks(signingKey))
  const headers = {
    // RFC 7517 §8.5.1: the JWK Set media type.
    'Content-Type': 'application/jwk-set+json',
    // Five minutes, as discovery: resource servers cache it, and a new key reaches them soon.
    'Cache-Control': 'public, max-age=300',
    ...CORS_HEADERS,
  }
  app.get(path, () => new Response(body, { status: 200, headers }))
  app.options(path, () => preflightResponse(['GET']))
}
