import { ClientKeySets } from './core/client-auth/client-key-sets.js'
import { describeAddressAllowList } from './core/fetch/address-allow-list.js'
import type { Fetcher } from './core/fetch/fetcher.js'
import type { RateLimiter } from './core/rate-limit/rate-limiter.js'
import { TokenBucketLimiter } from './core/rate-limit/token-bucket-limiter.js'
import { unservedAllowedGrants } from './core/registration/check-grant-types.js'
import { createSoftwareStatementVerifier } from './core/software-statement/verify-software-statement.js'
import type { Store } from './core/store/store.js'
import { createAccessTokenSigner } from './core/tokens/jwt-access-token.js'
import { LoginThrottle } from './core/users/login-throttle.js'
import type { RequestContext } from './http/handler.js'
import { createHandler } from './http/handler.js'
import type { RegistrarServices } from './http/services.js'
import type { SafeFetcherOptions } from './net/safe-fetch.js'
import { createSafeFetcher, safeFetchTestSeam } from './net/safe-fetch.js'
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
  warnAboutUnservedGrants(options)
  warnAboutPrivateAddresses(options)
  // The one way out to a URL someone else chose (src/net/safe-fetch.ts): client jwks_uri and
  // statement issuers' keys alike. Its test seam can only ride on the input under a symbol the
  // package does not export, so no configuration can name it.
  const seam = (input as SafeFetcherOptions)[safeFetchTestSeam]
  const fetcher = createSafeFetcher({
    allowPrivateAddresses: options.outboundFetch.allowPrivateAddresses,
    ...(seam === undefined ? {} : { [safeFetchTestSeam]: seam }),
  })
  const services = createServices(options, input.store, fetcher)
  return { options, fetch: createHandler(services) }
}

/**
 * docs/decisions.md A42: an allow-list naming a grant the server cannot serve (password or
 * implicit switched off, jwt-bearer not implemented) is not a configuration error, since
 * registrations asking for it are refused, but the operator evidently expected it to work.
 */
function warnAboutUnservedGrants(options: ResolvedOptions): void {
  const { allowedGrantTypes, servedGrantTypes } = options.registration.policy
  const unserved = unservedAllowedGrants(allowedGrantTypes, servedGrantTypes)
  if (unserved.length === 0) return
  options.logger.warn(
    { grant_types: unserved },
    'registration.allowedGrantTypes lists grants this server cannot serve; registrations asking for them are refused',
  )
}

/**
 * docs/decisions.md B6: the opt-in lets clients make the server fetch from its own network, so
 * the operator is told, once, exactly what it opens.
 */
function warnAboutPrivateAddresses(options: ResolvedOptions): void {
  const list = options.outboundFetch.allowPrivateAddresses
  if (!list.all && list.entries.length === 0) return
  options.logger.warn(
    { allow_private_addresses: describeAddressAllowList(list) },
    'outboundFetch.allowPrivateAddresses weakens SSRF protection: jwks_uri and jwksUri fetches may reach these special-use addresses',
  )
}

function createServices(
  options: ResolvedOptions,
  store: Store,
  fetcher: Fetcher,
): RegistrarServices {
  const { registration, authorization, tokens } = options
  return {
    options,
    store,
    fetcher,
    now: () => Math.floor(Date.now() / 1000),
    registrationRateLimiter:
      registration.rateLimit === false
        ? null
        : rateLimiter(store, registration.rateLimit, 'registration'),
    // One throttle for the sign-in page and the password grant: failures at either count
    // together, and their password hashes share one cap. Built even when failures are not
    // counted, because the cap still holds.
    loginThrottle: new LoginThrottle({
      store,
      failures:
        authorization.loginThrottle === false
          ? null
          : rateLimiter(store, authorization.loginThrottle, 'login'),
      maxConcurrentHashes: authorization.maxConcurrentPasswordHashes,
      ipv6PrefixLength: options.rateLimitIpv6PrefixLength,
    }),
    verifySoftwareStatement: createSoftwareStatementVerifier({
      trustedIssuers: registration.softwareStatement.trustedIssuers,
      fetcher,
    }),
    signAccessToken:
      tokens.format === 'jwt' && tokens.signingKey !== null
        ? createAccessTokenSigner(tokens.signingKey)
        : null,
    clientKeySets: new ClientKeySets(fetcher),
  }
}

/**
 * A store shared by several instances (PostgreSQL) keeps the buckets, so that a limit holds
 * across them; otherwise each process counts alone.
 */
function rateLimiter(store: Store, limits: RateLimitOptions, limiter: string): RateLimiter {
  return store.createRateLimiter?.({ ...limits, limiter }) ?? new TokenBucketLimiter(limits)
}
