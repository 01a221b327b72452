import { ClientKeySets } from './core/client-auth/client-key-sets.js'
import type { RateLimiter } from './core/rate-limit/rate-limiter.js'
import { TokenBucketLimiter } from './core/rate-limit/token-bucket-limiter.js'
import { createSoftwareStatementVerifier } from './core/software-statement/verify-software-statement.js'
import type { Store } from './core/store/store.js'
import { createAccessTokenSigner } from './core/tokens/jwt-access-token.js'
import { LoginThrottle } from './core/users/login-throttle.js'
import type { RequestContext } from './http/handler.js'
import { createHandler } from './http/handler.js'
import type { RegistrarServices } from './http/services.js'
import type { RateLimitOptions, RegistrarOptions, ResolvedOptions } from './options.js'
import { resolveOptions } from './options.js'

/** A configured registrar: one Web-standard handler that any HTTP stack can mount. */
export interface Registrar {
  readonly options: ResolvedOptions
  /** `Request` in, `Response` out. Never rejects: failures become RFC-style error responses. */
  fetch(request: Request, context?: RequestContext): Promise<Response>
}

/**
 * The composition root: validates the options (TypeError on a mistake), builds each service
 * once, and hands them to the handler, which only routes.
 */
export function createRegistrar(input: RegistrarOptions): Registrar {
  const options = resolveOptions(input)
  const services = createServices(options, input.store)
  return { options, fetch: createHandler(services) }
}

function createServices(options: ResolvedOptions, store: Store): RegistrarServices {
  const { registration, authorization, tokens } = options
  return {
    options,
    store,
    now: () => Math.floor(Date.now() / 1000),
    registrationRateLimiter:
      registration.rateLimit === false
        ? null
        : rateLimiter(store, registration.rateLimit, 'registration'),
    // One throttle for the sign-in page and the password grant: failures at either count together.
    loginThrottle:
      authorization.loginThrottle === false
        ? null
        : new LoginThrottle(rateLimiter(store, authorization.loginThrottle, 'login')),
    verifySoftwareStatement: createSoftwareStatementVerifier({
      trustedIssuers: registration.softwareStatement.trustedIssuers,
    }),
    signAccessToken:
      tokens.format === 'jwt' && tokens.signingKey !== null
        ? createAccessTokenSigner(tokens.signingKey)
        : null,
    clientKeySets: new ClientKeySets(),
  }
}

/**
 * A store shared by several instances (PostgreSQL) keeps the buckets, so that a limit holds
 * across them; otherwise each process counts alone.
 */
function rateLimiter(store: Store, limits: RateLimitOptions, limiter: string): RateLimiter {
  return store.createRateLimiter?.({ ...limits, limiter }) ?? new TokenBucketLimiter(limits)
}
