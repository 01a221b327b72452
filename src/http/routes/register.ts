import type { Hono } from 'hono'
import { registrationClientUri } from '../../core/discovery/authorization-server-metadata.js'
import { ENDPOINT_PATHS } from '../../core/discovery/endpoint-paths.js'
import { addressKey } from '../../core/rate-limit/address-key.js'
import { clientInformationResponse } from '../../core/registration/client-information-response.js'
import { authenticateInitialAccessToken } from '../../core/registration/initial-access-token.js'
import type {
  RegisterClientDeps,
  RegistrationRequestContext,
} from '../../core/registration/register-client.js'
import { registerClient } from '../../core/registration/register-client.js'
import { OAuthError } from '../../errors.js'
import type { HandlerEnv } from '../handler-env.js'
import { mountJsonEndpoint } from '../json-endpoint.js'
import { readJsonBody } from '../read-json-body.js'
import { jsonResponse } from '../render.js'
import type { RegistrarServices } from '../services.js'

/** RFC 7591 §3: POST `{issuer path}/register`. Not mounted at all when registration is disabled. */
export function mountRegisterRoute(app: Hono<HandlerEnv>, services: RegistrarServices): void {
  const { options } = services
  const registration: RegisterClientDeps = {
    store: services.store,
    registration: options.registration,
    verifySoftwareStatement: services.verifySoftwareStatement,
    now: services.now,
  }
  mountJsonEndpoint(app, {
    path: `${options.basePath}${ENDPOINT_PATHS.registration}`,
    name: 'registration endpoint',
    cors: true,
    logger: options.logger,
    methods: {
      async POST(c, headers) {
        let context: RegistrationRequestContext
        try {
          context = await admit(c.req.raw, c.env.clientAddress, services)
        } catch (error) {
          if (error instanceof HookResponse) return error.response
          throw error
        }
        const body = await readJsonBody(c.req.raw, options.registration.maxBodyBytes)
        const { record, clientSecret, registrationAccessToken } = await registerClient(
          registration,
          body,
          context,
        )
        options.logger.info(
          {
            client_id: record.clientId,
            ip: context.ip,
            authorized_by: context.authorizedBy,
            software_statement_issuer: record.provenance.softwareStatementIssuer,
            verified_by_software_statement: record.provenance.verifiedBySoftwareStatement,
          },
          'client registered',
        )
        // RFC 7591 §3.2.1: 201 Created with the client information response.
        const clientUri =
          registrationAccessToken === null ? null : registrationClientUri(options, record.clientId)
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
      },
    },
  })
}

/**
 * Decides whether this request may register at all, before its body is read: the per-address
 * rate limit, then the initial access token (RFC 7591 §3), then the host's own hook.
 */
async function admit(
  request: Request,
  ip: string | null,
  services: RegistrarServices,
): Promise<RegistrationRequestContext> {
  const { options } = services
  const limiter = services.registrationRateLimiter
  if (limiter !== null) {
    const key = addressKey(ip ?? 'unknown', options.rateLimitIpv6PrefixLength)
    const decision = await limiter.consume(key, Date.now())
    if (!decision.allowed) {
      throw new OAuthError(
        'rate_limited',
        'too many registrations from this address; retry later',
        {
          retryAfterSeconds: decision.retryAfterSeconds,
        },
      )
    }
  }

  let authorizedBy: RegistrationRequestContext['authorizedBy'] = 'open'
  let initialAccessTokenId: string | null = null
  if (options.registration.mode === 'initial_access_token') {
    const token = await authenticateInitialAccessToken(
      services.store,
      request.headers.get('authorization'),
      services.now(),
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
