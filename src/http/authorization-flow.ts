import {
  authorizationErrorUri,
  authorizationResponseUri,
} from '../core/authorize/authorization-response.js'
import { identifyClientAndRedirect } from '../core/authorize/identify-client-and-redirect.js'
import { issueAuthorizationCode } from '../core/authorize/issue-authorization-code.js'
import { issueImplicitToken } from '../core/authorize/issue-implicit-token.js'
import type { AuthorizationRequest } from '../core/authorize/parse-authorization-request.js'
import {
  parseAuthorizationRequest,
  responseModeOf,
  stateOf,
} from '../core/authorize/parse-authorization-request.js'
import type { AuthorizationParameters } from '../core/authorize/read-authorization-parameters.js'
import { randomToken } from '../core/crypto/random-token.js'
import type { Store } from '../core/store/store.js'
import type { AuthenticatedUser } from '../core/users/authenticated-user.js'
import type { LoginThrottle } from '../core/users/login-throttle.js'
import type { OAuthErrorCode } from '../errors.js'
import { OAuthError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { authorizationErrorPage } from './pages/error-page.js'
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
  /** null when options.authorization.loginThrottle is false. */
  readonly throttle: LoginThrottle | null
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

/** An error sent back to the client (RFC 6749 §4.1.2.1) with its state and iss (RFC 9207). */
export function errorRedirect(
  deps: AuthorizationDeps,
  request: AuthorizationRequest,
  error: { readonly code: OAuthErrorCode; readonly description: string },
  status: 302 | 303,
): Response {
  const mode = request.responseType === 'token' ? 'fragment' : 'query'
  return redirectResponse(
    authorizationErrorUri(request.redirectUri, mode, error, request.state, deps.options.issuer),
    status,
  )
}

export type Resolved =
  | { readonly ok: true; readonly request: AuthorizationRequest }
  | { readonly ok: false; readonly response: Response }

/**
 * Checks an authorization request in its two steps. Until the client and redirect URI are known
 * to belong together, errors are shown on a page and never redirected (RFC 6749 §4.1.2.1,
 * R6749-11, R9700-02); from then on they go back to the client with state and iss.
 */
export async function resolveAuthorizationRequest(
  deps: AuthorizationDeps,
  params: AuthorizationParameters,
  status: 302 | 303,
): Promise<Resolved> {
  let target: Awaited<ReturnType<typeof identifyClientAndRedirect>>
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
    const location = authorizationErrorUri(
      target.redirectUri,
      responseModeOf(params),
      { code: error.code, description: error.description },
      stateOf(params),
      deps.options.issuer,
    )
    return { ok: false, response: redirectResponse(location, status) }
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
