import type { Hono } from 'hono'
import {
  authorizationServerMetadata,
  metadataPath,
} from '../../core/discovery/authorization-server-metadata.js'
import { CORS_HEADERS, preflightResponse } from '../cors.js'
import type { HandlerEnv } from '../handler-env.js'
import type { RegistrarServices } from '../services.js'

/**
 * RFC 8414 §3: GET /.well-known/oauth-authorization-server{issuer path}. The document only
 * changes with the configuration, so it is serialised once, at start-up.
 */
export function mountDiscoveryRoute(app: Hono<HandlerEnv>, services: RegistrarServices): void {
  const { options } = services
  const body = JSON.stringify(
    authorizationServerMetadata(options, {
      scopes: options.scopes,
      registration: options.registration.mode !== 'disabled',
      implicit: options.authorization.implicit,
      password: options.authorization.password,
      jwks: services.signAccessToken !== null,
    }),
  )
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    // Five minutes: clients may cache it, and a configuration change reaches them soon.
    'Cache-Control': 'public, max-age=300',
    ...CORS_HEADERS,
  }
  const path = metadataPath(options)
  app.get(path, () => new Response(body, { status: 200, headers }))
  app.options(path, () => preflightResponse(['GET']))
}
