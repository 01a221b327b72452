import type { Hono } from 'hono'
import { needsConsent } from '../../core/authorize/needs-consent.js'
import { readAuthorizationParameters } from '../../core/authorize/read-authorization-parameters.js'
import type { AuthorizationDeps, Identity } from '../authorization-flow.js'
import {
  authorizationErrorResponse,
  completeAuthorization,
  errorRedirect,
  errorResponseOf,
  identifyUser,
  NOT_SIGNED_IN,
  resolveAuthorizationRequest,
  signInRequiredPage,
  usesHostAuthentication,
} from '../authorization-flow.js'
import type { HandlerEnv } from '../handler-env.js'
import { unexpectedErrorPage } from '../pages/error-page.js'
import { formTargetsFor } from '../pages/layout.js'
import { readFormBody } from '../read-form-body.js'
import { showConsentPage } from './consent.js'
import { showLoginPage } from './login.js'

/**
 * The authorization endpoint (RFC 6749 §3.1, OAuth 2.1 §4.1.1): GET with the request in the
 * query, or POST with it as a form body (OAuth 2.1 §3.1 "MAY support POST"). It never answers
 * with CORS headers (RFC 9700 §2.6, docs/decisions.md A37): it is navigated to, never fetched.
 */
export function mountAuthorizeRoute(app: Hono<HandlerEnv>, deps: AuthorizationDeps): void {
  app.get(deps.paths.authorize, async (c) => {
    try {
      return await authorize(deps, c.req.raw, new URL(c.req.url).searchParams, 302)
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })
  app.post(deps.paths.authorize, async (c) => {
    try {
      // The host's hook may read the request; it gets one whose body is still unread.
      const request = c.req.raw.clone()
      const form = await readFormBody(c.req.raw, FORM_LIMIT)
      return await authorize(deps, request, form, 303)
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })
}

// An authorization request is a URL's worth of parameters; browsers cap URLs near 64 KiB too.
const FORM_LIMIT = 65_536

/**
 * One authorization request, start to finish: check it, find the user (or ask them to sign in),
 * ask for consent when needed, then answer the client.
 */
async function authorize(
  deps: AuthorizationDeps,
  httpRequest: Request,
  source: URLSearchParams,
  status: 302 | 303,
): Promise<Response> {
  const params = readAuthorizationParameters(source)
  // Who is signed in is found out once, and only when needed: an error for a client nobody
  // vouched for asks (docs/decisions.md A40), and so does every request that checks out.
  let identifying: Promise<Identity> | null = null
  const identify = () => {
    identifying ??= identifyUser(deps, httpRequest)
    return identifying
  }
  const resolved = await resolveAuthorizationRequest(
    deps,
    params,
    status,
    async () => (await identify()).kind === 'user',
  )
  if (!resolved.ok) return resolved.response
  const { request } = resolved
  const hostAuthentication = usesHostAuthentication(deps)

  const identity = await identify()
  if (identity.kind === 'response') return identity.response
  // prompt=login re-authenticates; with the host's hook, signing in again is the host's
  // business (the hook sees the request and its prompt).
  if (identity.kind === 'anonymous' || (request.prompt.login && !hostAuthentication)) {
    // OpenID Connect Core §3.1.2.6: prompt=none with nobody signed in → login_required; for a
    // client nobody vouched for, on a page rather than redirected (A40).
    if (request.prompt.none) {
      return authorizationErrorResponse(
        deps,
        request,
        errorResponseOf(request, {
          code: 'login_required',
          description: 'the user is not signed in and prompt is none',
        }),
        status,
        NOT_SIGNED_IN,
      )
    }
    if (hostAuthentication) return signInRequiredPage()
    return showLoginPage(deps, httpRequest, {
      pending: params.toQuery(),
      error: null,
      status: 200,
      formTargets: formTargetsFor(request.redirectUri),
    })
  }

  const { user } = identity
  const remembered = await deps.store.findConsent(user.id, request.client.clientId)
  const ask = needsConsent({
    client: request.client,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    resources: request.resources,
    prompt: request.prompt,
    remembered,
  })
  if (ask) {
    // OpenID Connect Core §3.1.2.6: consent is needed but prompt=none forbids asking.
    if (request.prompt.none) {
      return errorRedirect(
        deps,
        request,
        {
          code: 'consent_required',
          description:
            'the user has not granted this client the requested access and prompt is none',
        },
        status,
      )
    }
    return showConsentPage(deps, httpRequest, {
      request,
      user,
      session: identity.session,
      pending: params.toQuery(),
    })
  }
  return completeAuthorization(deps, request, user, status)
}
