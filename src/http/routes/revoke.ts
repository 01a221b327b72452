import type { Hono } from 'hono'
import type { ClientAuthDeps } from '../../core/client-auth/authenticate-client.js'
import { authenticateClient } from '../../core/client-auth/authenticate-client.js'
import type { RevocationDeps } from '../../core/tokens/revoke-token.js'
import { revokeToken } from '../../core/tokens/revoke-token.js'
import type { Logger } from '../../logger.js'
import { mountFormEndpoint } from '../form-endpoint.js'
import type { HandlerEnv } from '../handler-env.js'

export interface RevokeRouteDeps {
  readonly path: string
  readonly clientAuth: ClientAuthDeps
  readonly revocation: RevocationDeps
  readonly logger: Logger
}

/** RFC 7009 §2: POST `{issuer path}/revoke`. */
export function mountRevokeRoute(app: Hono<HandlerEnv>, deps: RevokeRouteDeps): void {
  mountFormEndpoint(app, {
    path: deps.path,
    name: 'revocation endpoint',
    // Browser-based public clients revoke their own tokens on sign-out.
    cors: true,
    logger: deps.logger,
    async handle(request, params) {
      // RFC 7009 §2.1: the client authenticates as at the token endpoint.
      const client = await authenticateClient(
        deps.clientAuth,
        request.headers.get('authorization'),
        params,
      )
      await revokeToken(deps.revocation, client, params)
      // RFC 7009 §2.2: 200 whatever became of the token; "the content of the response body is
      // ignored by the client", so there is none.
      return null
    },
  })
}
