import type { Hono } from 'hono'
import { mergeConsent } from '../../core/authorize/needs-consent.js'
import type { AuthorizationRequest } from '../../core/authorize/parse-authorization-request.js'
import { readAuthorizationParameters } from '../../core/authorize/read-authorization-parameters.js'
import { ENDPOINT_PATHS } from '../../core/discovery/endpoint-paths.js'
import { endpointUrl } from '../../core/discovery/endpoint-url.js'
import { isTierVouchedFor } from '../../core/registration/is-vouched-for.js'
import { trustTierOf } from '../../core/registration/trust-tier.js'
import type { AuthenticatedUser } from '../../core/users/authenticated-user.js'
import type { AuthorizationDeps } from '../authorization-flow.js'
import {
  completeAuthorization,
  errorRedirect,
  FORM_MAX_BYTES,
  identifyUser,
  PENDING_REQUEST_FIELD,
  preLoginSecret,
  resolveAuthorizationRequest,
  resumeAuthorization,
  SIGNED_IN,
  signInRequiredPage,
  usesHostAuthentication,
} from '../authorization-flow.js'
import type { HandlerEnv } from '../handler-env.js'
import { clientChangedPage, consentPage } from '../pages/consent-page.js'
import { forbiddenFormPage, unexpectedErrorPage } from '../pages/error-page.js'
import { CSRF_FIELD } from '../pages/form-fields.js'
import { formTargetsFor, hostPage } from '../pages/layout.js'
import { noticePage } from '../pages/notice-page.js'
import type { ConsentPageContext } from '../pages/page-contexts.js'
import { readFormBody } from '../read-form-body.js'
import { readCookie } from '../session/cookies.js'
import { csrfTokenFor, isSameOrigin, verifyCsrfToken } from '../session/csrf.js'
import type { CurrentSession } from '../session/session.js'

/**
 * The form field that carries the client version the consent page showed (docs/decisions.md
 * A41): a decision about the client as it was must not approve it as an RFC 7592 update left it.
 */
export const CLIENT_VERSION_FIELD = 'client_version'

/**
 * Shows the consent page (built-in, or the host's renderConsent). Its CSRF token is bound to the
 * session, or with the host's hook (no session of registrar's own) to the pre-login cookie.
 */
export function showConsentPage(
  deps: AuthorizationDeps,
  httpRequest: Request,
  pending: {
    readonly request: AuthorizationRequest
    readonly user: AuthenticatedUser
    readonly session: CurrentSession | null
    /** The authorization request, form-encoded, to carry through the form. */
    readonly pending: string
  },
): Response | Promise<Response> {
  const { request, user } = pending
  const { secret, cookies } =
    pending.session === null
      ? preLoginSecret(deps, httpRequest)
      : { secret: pending.session.id, cookies: [] }
  const { metadata, provenance } = request.client
  const trustTier = trustTierOf(request.client)
  const descriptions = deps.options.authorization.scopeDescriptions
  const context: ConsentPageContext = {
    request: httpRequest,
    action: deps.paths.consent,
    csrfToken: csrfTokenFor(secret),
    hidden: {
      [PENDING_REQUEST_FIELD]: pending.pending,
      [CLIENT_VERSION_FIELD]: String(request.client.version),
    },
    client: {
      clientId: request.client.clientId,
      name: metadata.client_name ?? null,
      logoUri: metadata.logo_uri ?? null,
      clientUri: metadata.client_uri ?? null,
      trustTier,
      // Self-asserted metadata (RFC 7591 §5) nobody vouched for: the rule of error redirects
      // (docs/decisions.md A40, B7); a statement that does not assert the redirect_uris lends
      // its name to anyone (A41), so it leaves the client anonymous.
      unverified: !isTierVouchedFor(trustTier),
      softwareStatementIssuer: provenance.softwareStatementIssuer,
      redirectHost: redirectHostOf(request.redirectUri),
    },
    scopes: request.scopes.map((value) => ({
      value,
      // Own properties only: a scope named `constructor` must not find Object's.
      description: Object.hasOwn(descriptions, value) ? (descriptions[value] ?? value) : value,
    })),
    resources: request.resources,
    user,
  }
  const render = deps.options.authorization.renderConsent
  if (render !== null && render !== undefined) {
    return Promise.resolve(render(context)).then((response) =>
      hostPage(response, { status: 200, cookies }),
    )
  }
  return consentPage(context, { formTargets: formTargetsFor(request.redirectUri), cookies })
}

/** The host the user is sent back to, or the scheme of a private-use redirect (RFC 8252 §7.1). */
function redirectHostOf(redirectUri: string): string {
  const url = URL.parse(redirectUri)
  if (url === null) return redirectUri
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.hostname
  return url.protocol.slice(0, -1)
}

/**
 * POST {issuer path}/consent: the user's decision. The request is checked again from scratch
 * (the client may have been deleted or changed its redirect URIs meanwhile), and the client must
 * still be the version the page showed (docs/decisions.md A41), else the user is asked to start
 * again. Then `allow` remembers the consent and answers the client with a code, and `deny`
 * answers access_denied (RFC 6749 §4.1.2.1). Always 303, so the browser follows with a GET.
 */
export function mountConsentRoute(app: Hono<HandlerEnv>, deps: AuthorizationDeps): void {
  app.post(deps.paths.consent, async (c) => {
    try {
      if (!isSameOrigin(c.req.raw, deps.origin)) return forbiddenFormPage()
      const httpRequest = c.req.raw.clone()
      const form = await readFormBody(c.req.raw, FORM_MAX_BYTES)
      const pending = form.get(PENDING_REQUEST_FIELD) ?? ''

      const identity = await identifyUser(deps, httpRequest)
      if (identity.kind === 'response') return identity.response
      if (identity.kind === 'anonymous') {
        if (usesHostAuthentication(deps)) return signInRequiredPage()
        // The session ended while the page was open: start over, which asks to sign in again.
        // Re-encoded, so that whatever the field held stays one request to our own endpoint.
        return await resumeAuthorization(deps, new URLSearchParams(pending))
      }
      const secret =
        identity.session === null
          ? readCookie(httpRequest.headers.get('cookie'), deps.cookies.csrf)
          : identity.session.id
      if (!verifyCsrfToken(form.get(CSRF_FIELD), secret)) return forbiddenFormPage()

      const params = readAuthorizationParameters(new URLSearchParams(pending))
      // Only a signed-in user reaches the consent form, so errors redirect (docs/decisions.md A40).
      const resolved = await resolveAuthorizationRequest(deps, params, 303, SIGNED_IN)
      if (!resolved.ok) return resolved.response
      const { request } = resolved
      // Neither answer goes to a client other than the one shown: its redirect URIs or name may
      // have changed over RFC 7592 since (a form from before this check was added has no field).
      const shownVersion = String(request.client.version)
      if (form.get(CLIENT_VERSION_FIELD) !== shownVersion) {
        return clientChangedPage(restartUrl(deps, pending))
      }
      const decision = form.get('decision')
      if (decision === 'deny') {
        return errorRedirect(
          deps,
          request,
          { code: 'access_denied', description: 'the user denied the request' },
          303,
        )
      }
      if (decision !== 'allow') {
        return noticePage({
          status: 400,
          title: 'This form cannot be accepted',
          detail: 'decision must be allow or deny',
          role: 'alert',
        })
      }
      const { user } = identity
      const previous = await deps.store.findConsent(user.id, request.client.clientId)
      const saved = await deps.store.saveConsent(
        mergeConsent(previous, {
          userId: user.id,
          clientId: request.client.clientId,
          scopes: request.scopes,
          resources: request.resources,
          grantedAt: deps.now(),
        }),
        // An update that commits between the check above and here either deletes this consent
        // or makes the save refuse (Store.saveConsent): never a consent that outlives it.
        { clientVersion: request.client.version },
      )
      if (!saved) return clientChangedPage(restartUrl(deps, pending))
      return await completeAuthorization(deps, request, user, 303)
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })
}

/**
 * The authorization endpoint with the pending request, to start over from. Re-encoded, so that
 * whatever the field held stays one query string on our own path.
 */
function restartUrl(deps: AuthorizationDeps, pending: string): string {
  const query = new URLSearchParams(pending).toString()
  return `${endpointUrl(deps.options, ENDPOINT_PATHS.authorization)}?${query}`
}
