import type { Hono } from 'hono'
import type { ClientAuthDeps } from '../core/client-auth/authenticate-client.js'
import { ENDPOINT_PATHS } from '../core/discovery/endpoint-paths.js'
import type { GrantDeps } from '../core/grants/grant-deps.js'
import { tokenEndpointUrl } from '../core/tokens/token-endpoints-metadata.js'
import type { HandlerEnv } from './handler-env.js'
import { mountIntrospectRoute } from './routes/introspect.js'
import { mountJwksRoute } from './routes/jwks.js'
import { mountRevokeRoute } from './routes/revoke.js'
import { mountTokenRoute } from './routes/token.js'
import type { RegistrarServices } from './services.js'

/**
 * Mounts the token side of the server under the issuer's path: the token endpoint (RFC 6749
 * §3.2), revocation (RFC 7009), introspection (RFC 7662) and, when access tokens are JWTs, the
 * public signing key (RFC 8414 jwks_uri).
 */
export function mountTokenRoutes(app: Hono<HandlerEnv>, services: RegistrarServices): void {
  const { options, store, now } = services
  const { logger, issuer } = options
  const clientAuth: ClientAuthDeps = {
    store,
    issuer,
    tokenEndpoint: tokenEndpointUrl(options),
    keySets: services.clientKeySets,
    now,
    assertionMaxLifetimeSeconds: options.clientAuthentication.assertionMaxLifetimeSeconds,
  }
  const grants: GrantDeps = {
    store,
    issuer,
    now,
    accessTokenTtlSeconds: options.tokens.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: options.tokens.refreshTokenTtlSeconds,
    signAccessToken: services.signAccessToken,
    refreshTokenReuseGraceSeconds: options.tokens.refreshTokenReuseGraceSeconds,
    passwordGrant: options.authorization.password,
    loginThrottle: services.loginThrottle,
    onSecurityEvent: (event) =>
      logger.warn(
        { client_id: event.clientId, grant_id: event.grantId },
        event.kind === 'authorization_code_replayed'
          ? 'authorization code replayed: tokens of its grant revoked'
          : 'refresh token reused: its grant revoked',
      ),
  }
  const path = (suffix: string) => `${options.basePath}${suffix}`

  mountTokenRoute(app, { path: path(ENDPOINT_PATHS.token), clientAuth, grants, logger })
  mountRevokeRoute(app, {
    path: path(ENDPOINT_PATHS.revocation),
    clientAuth,
    revocation: { store, now },
    logger,
  })
  mountIntrospectRoute(app, {
    path: path(ENDPOINT_PATHS.introspection),
    clientAuth,
    introspection: { store, issuer, now },
    logger,
  })
  const { signingKey } = options.tokens
  if (signingKey !== null) mountJwksRoute(app, path(ENDPOINT_PATHS.jwks), signingKey)
}
