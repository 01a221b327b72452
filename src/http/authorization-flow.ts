import {
  authorizationErrorUri,
  authorizationResponseUri,
} from '../core/authorize/authorization-response.js'
import type { TrustedRedirect } from '../core/authorize/identify-client-and-redirect.js'
import { identifyClientAndRedirect } from '../core/authorize/identify-client-and-redirect.js'
import { issueAuthorizationCode } from '../core/authorize/issue-authorization-code.js'
import { issueImplicitToken } from '../core/authorize/issue-implicit-token.js'
import type {
  AuthorizationRequest,
  ResponseMode,
} from '../core/authorize/parse-authorization-request.js'
import {
  parseAuthorizationRequest,
  responseModeOf,
  stateOf,
} from '../core/authorize/parse-authorization-request.js'
import type { AuthorizationParameters } from '../core/authorize/read-authorization-parameters.js'
import { readAuthorizationParameters } from '../core/authorize/read-authorization-parameters.js'
import { randomToken } from '../core/crypto/random-token.js'
import { ENDPOINT_PATHS } from '../core/discovery/endpoint-paths.js'
import { endpointUrl } from '../core/discovery/endpoint-url.js'
import { isVouchedFor } from '../core/registration/is-vouched-for.js'
import type { Store } from '../core/store/store.js'
import type { AuthenticatedUser } from '../core/users/authenticated-user.js'
import type { LoginThrottle } from '../core/users/login-throttle.js'
import type { OAuthErrorCode } from '../errors.js'
import { OAuthError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { errorInterstitialPage } from './pages/error-interstitial-page.js'
import { authorizationErrorPage } from './pages/error-page.js'
import { formTargetsFor, html, htmlPage } from './pages/layout.js'
import { noticePage } from './pages/notice-page.js'
import type { CookieNames } from './session/cookies.js'
import { readCookie, setCookie } from './session/cookies.js'
import type { CurrentSession } from './session/session.js'
import { currentSession } from './session/session.js'

/** What the browser-facing routes share. */
export interface AuthorizationDeps {
  readonly options: ResolvedOptions
  readonly store: Store
  /** Epoch seconds. */
  readonly now: () => number
  readonly cookies: CookieNames
  /** Counts failed sign-ins and caps password hashes (login-throttle.ts). */
  readonly throttle: LoginThrottle
  /** Paths under the issuer, for form actions: `/tenant/login`. */
  readonly paths: {
    readonly authorize: string
    readonly consent: string
    readonly login: string
    readonly logout: string
  }
  /** The issuer's origin, which every form POST must come from. */
  readonly origin: string
}

/** The form field that carries a pending authorization request through login and consent. */
export const PENDING_REQUEST_FIELD = 'authorization_request'

/** Largest login, consent or logout form accepted (a pending request with many resources). */
export const FORM_MAX_BYTES = 65_536

/**
 * A redirect that ends (or continues) an authorization. 302 for a GET; 303 after a POST, so the
 * browser follows with a GET and never re-posts a form, let alone a password, to the client
 * (RFC 9700 §4.12 forbids 307 there). The Location carries a code or token: never cached, and
 * no Referer on the way.
 */
export function redirectResponse(location: string, status: 302 | 303): Response {
  return new Response(null, {
    status,
    headers: {
      Location: location,
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'Referrer-Policy': 'no-referrer',
    },
  })
}

/** An error response (RFC 6749 §4.1.2.1): where its parameters go, what they say. */
export interface ErrorResponse {
  readonly mode: ResponseMode
  readonly error: { readonly code: OAuthErrorCode; readonly description: string }
  /** Echoed exactly as the client sent it; null when it sent none. */
  readonly state: string | null
}

/** The error response to a request that checked out: in the fragment for the implicit grant. */
export function errorResponseOf(
  request: AuthorizationRequest,
  error: ErrorResponse['error'],
): ErrorResponse {
  const mode = request.responseType === 'token' ? 'fragment' : 'query'
  return { mode, error, state: request.state }
}

/**
 * RFC 9110 §4.1 asks every party to handle URIs of at least 8,000 octets, and no more: Node's
 * own server refuses request heads over 16 KiB (431), and proxies often stop at 8 KiB. An
 * authorization request that came by POST (OAuth 2.1 §3.1) may hold up to FORM_MAX_BYTES.
 */
const MAX_RESUME_URL_LENGTH = 8000

/**
 * Takes the browser back to a pending authorization request after sign-in or to start over:
 * a 303 to the authorization endpoint when the request fits in a URL, else a page whose one
 * button posts it there (no script: the pages allow none), its form-action naming where the
 * answer to that post may redirect (pendingFormTargets).
 */
export async function resumeAuthorization(
  deps: AuthorizationDeps,
  params: URLSearchParams,
  options: { readonly cookies?: readonly string[] } = {},
): Promise<Response> {
  const location = `${endpointUrl(deps.options, ENDPOINT_PATHS.authorization)}?${params}`
  if (location.length <= MAX_RESUME_URL_LENGTH) {
    const response = redirectResponse(location, 303)
    for (const cookie of options.cookies ?? []) response.headers.append('Set-Cookie', cookie)
    return response
  }
  const fields = [...params].map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">
`,
  )
  return htmlPage({
    status: 200,
    title: 'Continue',
    body: html`<h1>Continue</h1>
<p>The application's request is too long to pass along by itself. Continue to carry on.</p>
<form method="post" action="${deps.paths.authorize}">
${fields}<button type="submit">Continue</button>
</form>`,
    formTargets: await pendingFormTargets(deps, params.toString()),
    ...(options.cookies === undefined ? {} : { cookies: options.cookies }),
  })
}

/**
 * form-action sources for a page whose form carries a pending request (see formActionSource):
 * the origin of the redirect URI it names, when it still checks out.
 */
export async function pendingFormTargets(
  deps: AuthorizationDeps,
  pending: string | null,
): Promise<string[]> {
  if (pending === null) return []
  try {
    const params = readAuthorizationParameters(new URLSearchParams(pending))
    const target = await identifyClientAndRedirect(deps.store, params)
    return formTargetsFor(target.redirectUri)
  } catch {
    // A request that no longer checks out fails at /authorize, on its own page.
    return []
  }
}

/** An error sent back to the client (RFC 6749 §4.1.2.1) with its state and iss (RFC 9207). */
export function errorRedirect(
  deps: AuthorizationDeps,
  request: AuthorizationRequest,
  error: ErrorResponse['error'],
  status: 302 | 303,
): Response {
  return redirectResponse(
    errorLocation(deps, request.redirectUri, errorResponseOf(request, error)),
    status,
  )
}

function errorLocation(
  deps: AuthorizationDeps,
  redirectUri: string,
  response: ErrorResponse,
): string {
  const { mode, error, state } = response
  return authorizationErrorUri(redirectUri, mode, error, state, deps.options.issuer)
}

/**
 * Whether the user has signed in: asked only when the answer changes the response, for an error
 * about a client nobody vouched for (docs/decisions.md A40), so that a request from a vouched-for
 * client never pays for it here.
 */
export type SignedIn = () => Promise<boolean>

/** For a caller that knows nobody is signed in (prompt=none answered with login_required). */
export const NOT_SIGNED_IN: SignedIn = () => Promise.resolve(false)

/** For a caller whose user has signed in already: the consent form, posted with a session. */
export const SIGNED_IN: SignedIn = () => Promise.resolve(true)

/**
 * The error response for a client whose redirect URI is trusted (RFC 6749 §4.1.2.1), with state
 * and iss (RFC 9207): a redirect, except for a client nobody vouched for while nobody is signed
 * in, where RFC 9700 §4.11.2 ("only automatically redirect the user agent if it trusts the
 * redirection URI") is met by a page whose link carries the same response (A40). Otherwise anyone
 * could register a redirect URI and have this server bounce browsers to it with one crafted link.
 */
export async function authorizationErrorResponse(
  deps: AuthorizationDeps,
  target: TrustedRedirect,
  response: ErrorResponse,
  status: 302 | 303,
  signedIn: SignedIn,
): Promise<Response> {
  const location = errorLocation(deps, target.redirectUri, response)
  if (isVouchedFor(target.client) || (await signedIn())) return redirectResponse(location, status)
  return errorInterstitialPage(response.error, location, target.redirectUri)
}

export type Resolved =
  | { readonly ok: true; readonly request: AuthorizationRequest }
  | { readonly ok: false; readonly response: Response }

/**
 * Checks an authorization request in its two steps. Until the client and redirect URI are known
 * to belong together, errors are shown on a page and never redirected (RFC 6749 §4.1.2.1,
 * R6749-11, R9700-02); from then on they go back to the client with state and iss, on the
 * terms of authorizationErrorResponse (docs/decisions.md A40).
 */
export async function resolveAuthorizationRequest(
  deps: AuthorizationDeps,
  params: AuthorizationParameters,
  status: 302 | 303,
  signedIn: SignedIn,
): Promise<Resolved> {
  let target: TrustedRedirect
  try {
    target = await identifyClientAndRedirect(deps.store, params)
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    return { ok: false, response: authorizationErrorPage(error) }
  }
  try {
    const request = parseAuthorizationRequest(target, params, {
      implicit: deps.options.authorization.implicit,
    })
    return { ok: true, request }
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    const response = await authorizationErrorResponse(
      deps,
      target,
      {
        mode: responseModeOf(params),
        error: { code: error.code, description: error.description },
        state: stateOf(params),
      },
      status,
      signedIn,
    )
    return { ok: false, response }
  }
}

export type Identity =
  | {
      readonly kind: 'user'
      readonly user: AuthenticatedUser
      /** The built-in session; null when the host's authenticateUser hook answered. */
      readonly session: CurrentSession | null
    }
  | { readonly kind: 'anonymous' }
  /** The host's hook answered with its own Response (a redirect to its login, say). */
  | { readonly kind: 'response'; readonly response: Response }

/** Who is signed in: the host's hook when configured (embedding), else the built-in session. */
export async function identifyUser(deps: AuthorizationDeps, request: Request): Promise<Identity> {
  const hook = deps.options.authorization.authenticateUser
  if (hook !== null && hook !== undefined) {
    const answer = await hook(request)
    if (answer instanceof Response) return { kind: 'response', response: answer }
    if (answer === null) return { kind: 'anonymous' }
    return { kind: 'user', user: answer, session: null }
  }
  const session = await currentSession(deps.store, request, deps.cookies, deps.now())
  if (session === null) return { kind: 'anonymous' }
  return {
    kind: 'user',
    user: {
      id: session.user.id,
      username: session.user.username,
      authTime: session.record.authTime,
    },
    session,
  }
}

/** Whether the host replaced the built-in users (embedding). */
export function usesHostAuthentication(deps: AuthorizationDeps): boolean {
  const hook = deps.options.authorization.authenticateUser
  return hook !== null && hook !== undefined
}

/**
 * The host's hook says nobody is signed in and the request allows interaction: registrar has no
 * login of its own to show, so it says so (401) and leaves signing in to the host's pages.
 */
export function signInRequiredPage(): Response {
  return noticePage({
    status: 401,
    title: 'Sign-in required',
    detail:
      'You need to sign in to this site before an application can be authorized. Sign in, then return to the application and try again.',
  })
}

/**
 * The secret the CSRF token of a pre-login form derives from: the pre-login cookie the browser
 * already holds, or a new one with the Set-Cookie that plants it (lives as long as the browser).
 */
export function preLoginSecret(
  deps: AuthorizationDeps,
  request: Request,
): { readonly secret: string; readonly cookies: readonly string[] } {
  const existing = readCookie(request.headers.get('cookie'), deps.cookies.csrf)
  if (existing !== null) return { secret: existing, cookies: [] }
  const secret = randomToken(32)
  return { secret, cookies: [setCookie(deps.cookies, deps.cookies.csrf, secret, null)] }
}

/**
 * The successful authorization response: a code (RFC 6749 §4.1.2) in the query, or for the
 * implicit grant an access token in the fragment (§4.2.2), each with state and iss.
 */
export async function completeAuthorization(
  deps: AuthorizationDeps,
  request: AuthorizationRequest,
  user: AuthenticatedUser,
  status: 302 | 303,
): Promise<Response> {
  const { options } = deps
  const now = deps.now()
  let location: string
  if (request.responseType === 'code') {
    const code = await issueAuthorizationCode(
      deps.store,
      request,
      user,
      now,
      options.tokens.authorizationCodeTtlSeconds,
    )
    location = authorizationResponseUri(request.redirectUri, 'query', {
      code,
      state: request.state,
      iss: options.issuer,
    })
  } else {
    const token = await issueImplicitToken(
      deps.store,
      request,
      user,
      now,
      options.tokens.accessTokenTtlSeconds,
    )
    location = authorizationResponseUri(request.redirectUri, 'fragment', {
      access_token: token.accessToken,
      token_type: 'Bearer',
      expires_in: String(token.expiresIn),
      scope: request.scopes.join(' '),
      state: request.state,
      iss: options.issuer,
    })
  }
  options.logger.info(
    {
      client_id: request.client.clientId,
      user_id: user.id,
      response_type: request.responseType,
      scope: request.scopes.join(' '),
    },
    'authorization granted',
  )
  return redirectResponse(location, status)
}
