import type { Hono } from 'hono'
import { withoutLoginPrompt } from '../../core/authorize/parse-prompt.js'
import { ENDPOINT_PATHS } from '../../core/discovery/endpoint-paths.js'
import { endpointUrl } from '../../core/discovery/endpoint-url.js'
import type { AuthorizationDeps } from '../authorization-flow.js'
import {
  FORM_MAX_BYTES,
  PENDING_REQUEST_FIELD,
  pendingFormTargets,
  preLoginSecret,
  redirectResponse,
  resumeAuthorization,
} from '../authorization-flow.js'
import type { HandlerEnv } from '../handler-env.js'
import { forbiddenFormPage, unexpectedErrorPage } from '../pages/error-page.js'
import { CSRF_FIELD } from '../pages/form-fields.js'
import { hostPage, html } from '../pages/layout.js'
import { loginPage } from '../pages/login-page.js'
import { noticePage } from '../pages/notice-page.js'
import type { LoginPageContext } from '../pages/page-contexts.js'
import { readFormBody } from '../read-form-body.js'
import { readCookie, setCookie } from '../session/cookies.js'
import { csrfTokenFor, isSameOrigin, verifyCsrfToken } from '../session/csrf.js'
import { currentSession, endSession, startSession } from '../session/session.js'

export interface LoginPageOptions {
  /** The pending authorization request, form-encoded; null when signing in on its own. */
  readonly pending: string | null
  readonly error: string | null
  readonly status: number
  readonly formTargets: readonly string[]
  readonly username?: string
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Shows the sign-in form (built-in, or the host's renderLogin). Before login there is no
 * session, so its CSRF token is bound to the pre-login cookie, planted here when missing.
 */
export async function showLoginPage(
  deps: AuthorizationDeps,
  httpRequest: Request,
  options: LoginPageOptions,
): Promise<Response> {
  const { secret, cookies } = preLoginSecret(deps, httpRequest)
  const context: LoginPageContext = {
    request: httpRequest,
    action: deps.paths.login,
    csrfToken: csrfTokenFor(secret),
    hidden: options.pending === null ? {} : { [PENDING_REQUEST_FIELD]: options.pending },
    error: options.error,
  }
  const render = deps.options.authorization.renderLogin
  if (render !== null && render !== undefined) {
    const page = hostPage(await render(context), { status: options.status, cookies })
    // Retry-After (a 429 lock, a 503 when every hash slot is busy) is registrar's to say,
    // whoever drew the page; a header the host set itself wins.
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!page.headers.has(name)) page.headers.set(name, value)
    }
    return page
  }
  return loginPage(context, {
    status: options.status,
    formTargets: options.formTargets,
    cookies,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  })
}

const WRONG_CREDENTIALS = 'The username or password is not correct.'

/**
 * GET and POST {issuer path}/login: the built-in sign-in (standalone mode; not mounted when the
 * host's authenticateUser hook replaces it). A successful POST starts a new session and sends
 * the browser back to the pending authorization request with 303 (never 307, which would
 * re-post the password: RFC 9700 §4.12).
 */
export function mountLoginRoute(app: Hono<HandlerEnv>, deps: AuthorizationDeps): void {
  app.get(deps.paths.login, async (c) => {
    try {
      const session = await currentSession(deps.store, c.req.raw, deps.cookies, deps.now())
      if (session !== null) {
        return noticePage({
          status: 200,
          title: 'Signed in',
          detail: `You are signed in as ${session.user.username}.`,
          extra: html`<p><a href="${deps.paths.logout}">Sign out</a></p>`,
        })
      }
      return await showLoginPage(deps, c.req.raw, {
        pending: null,
        error: null,
        status: 200,
        formTargets: [],
      })
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })

  app.post(deps.paths.login, async (c) => {
    try {
      const request = c.req.raw
      if (!isSameOrigin(request, deps.origin)) return forbiddenFormPage()
      const form = await readFormBody(request, FORM_MAX_BYTES)
      const csrfSecret = readCookie(request.headers.get('cookie'), deps.cookies.csrf)
      if (!verifyCsrfToken(form.get(CSRF_FIELD), csrfSecret)) return forbiddenFormPage()

      const pending = form.get(PENDING_REQUEST_FIELD)
      const username = form.get('username') ?? ''
      const password = form.get('password') ?? ''
      const again = async (status: number, error: string, headers?: Record<string, string>) =>
        showLoginPage(deps, request, {
          pending,
          error,
          status,
          formTargets: await pendingFormTargets(deps, pending),
          username,
          ...(headers === undefined ? {} : { headers }),
        })
      if (username === '' || password === '') {
        return await again(400, 'Enter your username and password.')
      }

      const ip = c.env.clientAddress
      // Counted against the username and the address before the password is hashed, and
      // refused at once when either is locked or every hash slot is busy (login-throttle.ts).
      const result = await deps.throttle.signIn({ username, password, ip }, Date.now())
      switch (result.outcome) {
        case 'locked':
          deps.options.logger.info({ ip }, 'login refused: locked')
          return await again(429, TOO_MANY, retryAfter(result.retryAfterSeconds))
        case 'busy':
          deps.options.logger.warn({ ip }, 'login refused: every password hash slot is busy')
          return await again(503, BUSY, retryAfter(result.retryAfterSeconds))
        case 'wrong_credentials':
          deps.options.logger.info({ ip }, 'login failed')
          return await again(401, WRONG_CREDENTIALS)
      }
      const user = result.user

      // A new id on every sign-in (session fixation); the old session, if any, ends.
      const previous = readCookie(request.headers.get('cookie'), deps.cookies.session)
      if (previous !== null) await endSession(deps.store, previous)
      const ttl = deps.options.authorization.sessionTtlSeconds
      const id = await startSession(deps.store, user.id, deps.now(), ttl)
      deps.options.logger.info({ user_id: user.id, ip }, 'signed in')
      const cookies = [setCookie(deps.cookies, deps.cookies.session, id, ttl)]
      if (pending === null) {
        const response = redirectResponse(endpointUrl(deps.options, ENDPOINT_PATHS.login), 303)
        response.headers.append('Set-Cookie', cookies[0] ?? '')
        return response
      }
      return await resumeAuthorization(deps, resumeParameters(pending), { cookies })
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })
}

const TOO_MANY = 'Too many failed sign-in attempts. Wait a few minutes and try again.'
const BUSY = 'The server is busy checking other sign-ins. Try again in a moment.'

/** RFC 9110 §10.2.3, for a 429 (RFC 6585 §4) or a 503. */
function retryAfter(seconds: number): Record<string, string> {
  return { 'Retry-After': String(seconds) }
}

/**
 * Where a successful sign-in goes: back to the pending authorization request, with `login`
 * taken out of its prompt (the user has just signed in, and asking again would loop); without
 * one, to the sign-in page, which then says who is signed in. Always this server's own
 * endpoint, so the hidden field can never turn the login into an open redirector.
 */
function resumeParameters(pending: string): URLSearchParams {
  const params = new URLSearchParams(pending)
  const prompt = params.getAll('prompt')
  if (prompt.length === 1) {
    const rest = withoutLoginPrompt(prompt[0] ?? null)
    if (rest === null) params.delete('prompt')
    else params.set('prompt', rest)
  }
  return params
}
