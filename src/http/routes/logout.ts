import type { Hono } from 'hono'
import type { AuthorizationDeps } from '../authorization-flow.js'
import { FORM_MAX_BYTES } from '../authorization-flow.js'
import type { HandlerEnv } from '../handler-env.js'
import { forbiddenFormPage, unexpectedErrorPage } from '../pages/error-page.js'
import { CSRF_FIELD, hiddenFields } from '../pages/form-fields.js'
import { html } from '../pages/layout.js'
import { noticePage } from '../pages/notice-page.js'
import { readFormBody } from '../read-form-body.js'
import { clearCookie } from '../session/cookies.js'
import { csrfTokenFor, isSameOrigin, verifyCsrfToken } from '../session/csrf.js'
import { currentSession, endSession } from '../session/session.js'

/**
 * {issuer path}/logout: GET shows a confirmation form, POST (CSRF-protected) ends the session.
 * Signing out on a plain GET would let any page sign the user out with an <img>.
 */
export function mountLogoutRoute(app: Hono<HandlerEnv>, deps: AuthorizationDeps): void {
  app.get(deps.paths.logout, async (c) => {
    try {
      const session = await currentSession(deps.store, c.req.raw, deps.cookies, deps.now())
      if (session === null) return notSignedIn(deps)
      return noticePage({
        status: 200,
        title: 'Sign out?',
        detail: `You are signed in as ${session.user.username}.`,
        extra: html`<form method="post" action="${deps.paths.logout}">
${hiddenFields(csrfTokenFor(session.id), {})}
<button type="submit">Sign out</button>
</form>`,
      })
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })

  app.post(deps.paths.logout, async (c) => {
    try {
      if (!isSameOrigin(c.req.raw, deps.origin)) return forbiddenFormPage()
      const form = await readFormBody(c.req.raw, FORM_MAX_BYTES)
      const session = await currentSession(deps.store, c.req.raw, deps.cookies, deps.now())
      if (session === null) return notSignedIn(deps)
      if (!verifyCsrfToken(form.get(CSRF_FIELD), session.id)) return forbiddenFormPage()
      await endSession(deps.store, session.id)
      deps.options.logger.info({ user_id: session.user.id }, 'signed out')
      return noticePage({
        status: 200,
        title: 'Signed out',
        detail: 'You are signed out.',
        cookies: [clearCookie(deps.cookies, deps.cookies.session)],
      })
    } catch (error) {
      return unexpectedErrorPage(error, deps.options.logger)
    }
  })
}

/** No session (or an expired one, whose stale cookie is cleared). */
function notSignedIn(deps: AuthorizationDeps): Response {
  return noticePage({
    status: 200,
    title: 'Not signed in',
    detail: 'You are not signed in.',
    cookies: [clearCookie(deps.cookies, deps.cookies.session)],
  })
}
