import type { ClientKeySets } from '../core/client-auth/client-key-sets.js'
import type { Fetcher } from '../core/fetch/fetcher.js'
import type { RateLimiter } from '../core/rate-limit/rate-limiter.js'
import type { SoftwareStatementVerifier } from '../core/software-statement/verify-software-statement.js'
import type { Store } from '../core/store/store.js'
import type { AccessTokenSigner } from '../core/tokens/jwt-access-token.js'
import type { LoginThrottle } from '../core/users/login-throttle.js'
import type { ResolvedOptions } from '../options.js'

/**
 * Everything the routes use, built once by the composition root (src/registrar.ts) and handed
 * to createHandler. The routes build nothing that outlives a request: each service exists once
 * per registrar, whichever endpoints use it.
 */
export interface RegistrarServices {
  readonly options: ResolvedOptions
  /** The one path to the store: the options carry none. */
  readonly store: Store
  /** Epoch seconds. */
  readonly now: () => number
  /**
   * Every server-side fetch of a URL someone else chose goes through this one (src/net/
   * safe-fetch.ts): public addresses only, https, no redirects, capped time and size.
   */
  readonly fetcher: Fetcher
  /** Per client address at POST /register; null when registration.rateLimit is false. */
  readonly registrationRateLimiter: RateLimiter | null
  /**
   * Every password sign-in, at /login and through the password grant: failures counted
   * together (unless authorization.loginThrottle is false), password hashes capped at once.
   */
  readonly loginThrottle: LoginThrottle
  /** RFC 7591 §2.3, against registration.softwareStatement.trustedIssuers. */
  readonly verifySoftwareStatement: SoftwareStatementVerifier
  /** RFC 9068 JWT access tokens; null when tokens.format is 'opaque'. */
  readonly signAccessToken: AccessTokenSigner | null
  /** private_key_jwt clients' public keys (RFC 7523), cached across token requests. */
  readonly clientKeySets: ClientKeySets
}
