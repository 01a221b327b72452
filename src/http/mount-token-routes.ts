import type { Hono } from 'hono'
import type { ClientAuthDeps } from '../core/client-auth/authenticate-client.js'
import { ClientKeySets } from '../core/client-auth/client-key-sets.js'
import type { GrantDeps } from '../core/grants/grant-deps.js'
import { createAccessTokenSigner } from '../core/tokens/jwt-access-token.js'
import {
  INTROSPECTION_PATH,
  JWKS_PATH,
  REVOCATION_PATH,
  TOKEN_PATH,
  tokenEndpointUrl,
} from '../core/tokens/token-endpoints-metadata.js'
import type { LoginThrottle } from '../core/users/login-throttle.js'
import type { ResolvedOptions } from '../options.js'
import type { HandlerEnv } from './handler-env.js'
import { mountIntrospectRoute } from './routes/introspect.js'
import { mountJwksRoute } from './routes/jwks.js'
import { mountRevokeRoute } from './routes/revoke.js'
import { mountTokenRoute } from './routes/token.js'

/**
 * Mounts the token side of the server under the issuer's path: the token endpoint (RFC 6749
 * §3.2), revocation (RFC 7009), introspection (RFC 7662) and, when access tokens are JWTs, the
 * public signing key (RFC 8414 jwks_uri).
 */
export function mountTokenRoutes(
  app: Hono<HandlerEnv>,
  options: ResolvedOptions,
  now: () => number,
  loginThrottle: LoginThrottle | null,
): void {
  const { store, logger, issuer } = options
  const clientAuth: ClientAuthDeps = {
    store,
    issuer,
    tokenEndpoint: tokenEndpointUrl(options),
    keySets: new ClientKeySets(),
    now,
  }
  const signingKey = options.tokens.signingKey
  const grants: GrantDeps = {
    store,
    issuer,
    now,
    accessTokenTtlSeconds: options.tokens.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: options.tokens.refreshTokenTtlSeconds,
    signAccessToken:
      options.tokens.format === 'jwt' && signingKey !== null
        ? createAccessTokenSigner(signingKey)
        : null,
    refreshTokenReuseGraceSeconds: options.tokens.refreshTokenReuseGraceSeconds,
    passwordGrant: options.authorization.password,
    loginThrottle: options.authorization.password ? loginThrottle : null,
    onSecurityEvent: (event) =>
      logger.warn(
        { client_id: event.clientId, grant_id: event.grantId },
        event.kind === 'authorization_code_replayed'
          ? 'authorization code replayed: tokens of its grant revoked'
          : 'refresh token reused: its grant revoked',
      ),
  }
  const path = (suffix: string) => `${options.basePath}${suffix}`

  mountTokenRoute(app, {
    path: path(TOKEN_PATH),
    clientAuth,
    grants,
    logger,
    trustProxyHops: options.trustProxyHops,
  })
  mountRevokeRoute(app, {
    path: path(REVOCATION_PATH),
    clientAuth,
    revocation: { store, now },
    logger,
  })
  mountIntrospectRoute(app, {
    path: path(INTROSPECTION_PATH),
    clientAuth,
    introspection: { store, issuer, now },
    logger,
  })
  if (signingKey !== null) mountJwksRoute(app, path(JWKS_PATH), signingKey)
}
