import type { Hono } from 'hono'
import type { ClientAuthDeps } from '../../core/client-auth/authenticate-client.js'
import { authenticateClient } from '../../core/client-auth/authenticate-client.js'
import type { IntrospectionDeps } from '../../core/tokens/introspect-token.js'
import { introspectToken } from '../../core/tokens/introspect-token.js'
import type { Logger } from '../../logger.js'
import { mountFormEndpoint } from '../form-endpoint.js'
import type { HandlerEnv } from '../handler-env.js'

export interface IntrospectRouteDeps {
  readonly path: string
  readonly clientAuth: ClientAuthDeps
  readonly introspection: IntrospectionDeps
  readonly logger: Logger
}

/** RFC 7662 §2: POST `{issuer path}/introspect`, for resource servers and clients. */
export function mountIntrospectRoute(app: Hono<HandlerEnv>, deps: IntrospectRouteDeps): void {
  mountFormEndpoint(app, {
    path: deps.path,
    name: 'introspection endpoint',
    // Called by resource servers, never by browsers: no CORS.
    cors: false,
    logger: deps.logger,
    async handle(request, params) {
      // RFC 7662 §2.1: "the protected resource MUST authenticate itself"; here, as a client.
      const client = await authenticateClient(
        deps.clientAuth,
        request.headers.get('authorization'),
        params,
      )
      // RFC 7662 §2.2: 200 application/json, active or not.
      return introspectToken(deps.introspection, client, params)
    },
  })
}
