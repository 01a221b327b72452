import type { Hono } from 'hono'
import { registrationClientUri } from '../../core/discovery/authorization-server-metadata.js'
import type { RateLimiter } from '../../core/rate-limit/token-bucket-limiter.js'
import { clientInformationResponse } from '../../core/registration/client-information-response.js'
import { authenticateInitialAccessToken } from '../../core/registration/initial-access-token.js'
import type {
  RegisterClientDeps,
  RegistrationRequestContext,
} from '../../core/registration/register-client.js'
import { registerClient } from '../../core/registration/register-client.js'
import { OAuthError } from '../../errors.js'
import type { ResolvedOptions } from '../../options.js'
import { clientAddress } from '../client-address.js'
import { CORS_HEADERS, preflightResponse } from '../cors.js'
import type { HandlerEnv } from '../handler-env.js'
import { readJsonBody } from '../read-json-body.js'
import { errorResponse, jsonResponse, NO_STORE } from '../render.js'

export interface RegisterRouteDeps extends RegisterClientDeps {
  readonly options: ResolvedOptions
  readonly rateLimiter: RateLimiter | null
}

/** RFC 7591 §3: POST `{issuer path}/register`. Not mounted at all when registration is disabled. */
export function mountRegisterRoute(app: Hono<HandlerEnv>, deps: RegisterRouteDeps): void {
  const path = `${deps.options.basePath}/register`
  const headers = { ...NO_STORE, ...CORS_HEADERS }

  app.post(path, async (c) => {
    try {
      const context = await admit(c.req.raw, c.env.remoteAddress ?? null, deps)
      const body = await readJsonBody(c.req.raw, deps.options.registration.maxBodyBytes)
      const { record, clientSecret, registrationAccessToken } = await registerClient(
        deps,
        body,
        context,
      )
      deps.options.logger.info(
        {
          client_id: record.clientId,
          ip: context.ip,
          authorized_by: context.authorizedBy,
          software_statement_issuer: record.provenance.softwareStatementIssuer,
        },
        'client registered',
      )
      // RFC 7591 §3.2.1: 201 Created with the client information response.
      const clientUri =
        registrationAccessToken === null
          ? null
          : registrationClientUri(deps.options, record.clientId)
      return jsonResponse(
        201,
        clientInformationResponse(record, {
          clientSecret,
          registrationAccessToken,
          registrationClientUri: clientUri,
        }),
        // RFC 9110 §15.3.2: a 201 names the created resource, here the client's configuration URI.
        clientUri === null ? headers : { ...headers, Location: clientUri },
      )
    } catch (error) {
      if (error instanceof HookResponse) return error.response
      return errorResponse(error, deps.options.logger, headers)
    }
  })
  app.options(path, () => preflightResponse(['POST']))
  // RFC 7591 §3: the endpoint accepts POST only; anything else is 405 with Allow (RFC 9110 §15.5.6).
  app.on(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'], path, () =>
    errorResponse(
      new OAuthError('method_not_allowed', 'the registration endpoint accepts POST only', {
        headers: { Allow: 'POST, OPTIONS' },
      }),
      deps.options.logger,
      headers,
    ),
  )
}

/**
 * Decides whether this request may register at all, before its body is read: the per-address
 * rate limit, then the initial access token (RFC 7591 §3), then the host's own hook.
 */
async function admit(
  request: Request,
  socketAddress: string | null,
  deps: RegisterRouteDeps,
): Promise<RegistrationRequestContext> {
  const { options } = deps
  const ip = clientAddress(
    socketAddress,
    request.headers.get('x-forwarded-for'),
    options.trustProxyHops,
  )
  if (deps.rateLimiter !== null) {
    const decision = await deps.rateLimiter.consume(ip ?? 'unknown', Date.now())
    if (!decision.allowed) {
      throw new OAuthError(
        'rate_limited',
        'too many registrations from this address; retry later',
        {
          headers: { 'Retry-After': String(decision.retryAfterSeconds) },
        },
      )
    }
  }

  let authorizedBy: RegistrationRequestContext['authorizedBy'] = 'open'
  let initialAccessTokenId: string | null = null
  if (options.registration.mode === 'initial_access_token') {
    const token = await authenticateInitialAccessToken(
      options.store,
      request.headers.get('authorization'),
      deps.now(),
    )
    authorizedBy = 'initial_access_token'
    initialAccessTokenId = token.id
  }

  const hook = options.registration.authorizeRegistration
  if (hook !== null) {
    refuseCrossSiteCookies(request, options.issuer)
    // A clone: a hook may read the body (to look at software_id, say) and registration still
    // needs it afterwards.
    const decision = await hook(request.clone())
    if (decision instanceof Response) throw new HookResponse(decision)
    if (decision !== true) {
      throw new OAuthError('access_denied', 'this server does not allow you to register a client')
    }
    if (authorizedBy === 'open') authorizedBy = 'hook'
  }

  return {
    ip,
    userAgent: request.headers.get('user-agent'),
    authorizedBy,
    initialAccessTokenId,
  }
}

/**
 * A hook may decide from the host's session cookie. A browser attaches cookies to cross-site
 * requests too, so such a decision would be forgeable (the CSRF hole the Django pull request's
 * review found). A request that carries cookies must come from the issuer's own origin.
 */
function refuseCrossSiteCookies(request: Request, issuer: string): void {
  if (!request.headers.has('cookie')) return
  const site = request.headers.get('sec-fetch-site')
  const origin = request.headers.get('origin')
  const sameOrigin =
    (site === null || site === 'same-origin' || site === 'none') &&
    (origin === null || origin === new URL(issuer).origin)
  if (!sameOrigin) {
    throw new OAuthError(
      'access_denied',
      'cross-site registration requests that carry cookies are refused',
    )
  }
}

/** Carries the hook's own Response out through the error path. */
class HookResponse extends Error {
  readonly response: Response
  constructor(response: Response) {
    super('registration hook answered with its own response')
    this.response = response
  }
}
