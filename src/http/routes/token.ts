import type { Hono } from 'hono'
import type { ClientAuthDeps } from '../../core/client-auth/authenticate-client.js'
import { authenticateClient } from '../../core/client-auth/authenticate-client.js'
import { exchangeGrant } from '../../core/grants/exchange-grant.js'
import type { GrantDeps } from '../../core/grants/grant-deps.js'
import type { Logger } from '../../logger.js'
import { mountFormEndpoint } from '../form-endpoint.js'
import type { HandlerEnv } from '../handler-env.js'

export interface TokenRouteDeps {
  readonly path: string
  readonly clientAuth: ClientAuthDeps
  readonly grants: GrantDeps
  readonly logger: Logger
}

/** RFC 6749 §3.2: POST `{issuer path}/token`. */
export function mountTokenRoute(app: Hono<HandlerEnv>, deps: TokenRouteDeps): void {
  mountFormEndpoint(app, {
    path: deps.path,
    name: 'token endpoint',
    cors: true,
    logger: deps.logger,
    async handle(request, params, ip) {
      const client = await authenticateClient(
        deps.clientAuth,
        request.headers.get('authorization'),
        params,
      )
      // RFC 6749 §5.1: 200 with the tokens as JSON.
      return exchangeGrant(deps.grants, client, params, { ip })
    },
  })
}
