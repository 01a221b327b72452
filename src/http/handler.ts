import { Hono } from 'hono'
import { TokenBucketLimiter } from '../core/rate-limit/token-bucket-limiter.js'
import { createSoftwareStatementVerifier } from '../core/software-statement/verify-software-statement.js'
import { LoginThrottle } from '../core/users/login-throttle.js'
import { OAuthError } from '../errors.js'
import type { RegistrarOptions, ResolvedOptions } from '../options.js'
import { resolveOptions } from '../options.js'
import type { HandlerEnv, RequestContext } from './handler-env.js'
import { mountTokenRoutes } from './mount-token-routes.js'
import { errorResponse } from './render.js'
import { mountAuthorizationRoutes } from './routes/authorization.js'
import { mountClientConfigurationRoute } from './routes/client-configuration.js'
import { mountDiscoveryRoute } from './routes/discovery.js'
import { mountHealthRoutes } from './routes/health.js'
import { mountRegisterRoute } from './routes/register.js'

export type { RequestContext } from './handler-env.js'

/** A configured registrar: one Web-standard handler that any HTTP stack can mount. */
export interface Registrar {
  readonly options: ResolvedOptions
  /** `Request` in, `Response` out. Never rejects: failures become RFC-style error responses. */
  fetch(request: Request, context?: RequestContext): Promise<Response>
}

/** Validates the options (TypeError on a mistake) and builds the handler. */
export function createRegistrar(input: RegistrarOptions): Registrar {
  const options = resolveOptions(input)
  const app = new Hono<HandlerEnv>()
  const now = () => Math.floor(Date.now() / 1000)

  mountDiscoveryRoute(app, options)
  mountHealthRoutes(app, options)
  // One throttle for the sign-in page and the password grant: failures at either count
  // together, in the database when the store can keep the buckets (every instance then agrees).
  const { loginThrottle: throttleLimits } = options.authorization
  const loginThrottle =
    throttleLimits === false
      ? null
      : new LoginThrottle(
          options.store.createRateLimiter?.({ ...throttleLimits, limiter: 'login' }) ??
            new TokenBucketLimiter(throttleLimits),
        )
  mountTokenRoutes(app, options, now, loginThrottle)
  const registrationDeps = {
    options,
    store: options.store,
    registration: options.registration,
    verifySoftwareStatement: createSoftwareStatementVerifier({
      trustedIssuers: options.registration.softwareStatement.trustedIssuers,
    }),
    now,
  }
  if (options.registration.mode !== 'disabled') {
    const { rateLimit } = options.registration
    mountRegisterRoute(app, {
      ...registrationDeps,
      // A store shared by several instances (PostgreSQL) keeps the buckets, so the limit holds
      // across them; otherwise each process counts alone.
      rateLimiter:
        rateLimit === false
          ? null
          : (options.store.createRateLimiter?.(rateLimit) ?? new TokenBucketLimiter(rateLimit)),
    })
  }
  // Clients already registered keep managing themselves even when new registration is closed.
  if (options.registration.management.enabled) mountClientConfigurationRoute(app, registrationDeps)
  mountAuthorizationRoutes(app, options, now, loginThrottle)

  app.notFound(() =>
    errorResponse(new OAuthError('not_found', 'no such endpoint on this server'), options.logger),
  )
  app.onError((error) => errorResponse(error, options.logger))

  return {
    options,
    async fetch(request, context = {}) {
      try {
        return await app.fetch(request, context)
      } catch (error) {
        return errorResponse(error, options.logger)
      }
    },
  }
}
