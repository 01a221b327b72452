import type { OAuthError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import { errorHeaders, toOAuthError } from '../render.js'
import { html } from './layout.js'
import { noticePage } from './notice-page.js'

/**
 * An authorization error that must not go back to the client (RFC 6749 §4.1.2.1: unknown
 * client, missing or mismatching redirect URI; RFC 9700 §4.11.2: never an open redirector). It
 * is shown to the user instead, with the error code for whoever debugs the client.
 */
export function authorizationErrorPage(error: OAuthError): Response {
  return noticePage({
    status: 400,
    title: 'This sign-in request cannot be processed',
    detail: error.description,
    role: 'alert',
    extra: html`<p class="muted">Error: <code id="error-code">${error.code}</code>. The application that sent you here made a mistake; you have not been sent back to it. Return to the application and try again, or tell its developer.</p>`,
  })
}

/** 403: a form arrived without its CSRF token, with the wrong one, or from another site. */
export function forbiddenFormPage(): Response {
  return noticePage({
    status: 403,
    title: 'This form cannot be accepted',
    detail:
      'The form was sent from another site, or it has expired. Go back to the application and start again.',
    role: 'alert',
  })
}

/**
 * What the browser-facing routes answer when something unexpected happens: an OAuthError keeps
 * its status (a 413 body, a 415 Content-Type), an unreachable database is a 503 that says to
 * retry, and anything else is logged and shown as a 500 that gives nothing internal away.
 */
export function unexpectedErrorPage(error: unknown, logger: Logger): Response {
  const failure = toOAuthError(error, logger)
  switch (failure.code) {
    case 'temporarily_unavailable':
      return noticePage({
        status: 503,
        title: 'Temporarily unavailable',
        detail: 'The server cannot reach its database. Try again in a moment.',
        headers: errorHeaders(failure),
      })
    case 'server_error':
      return noticePage({
        status: 500,
        title: 'Something went wrong',
        detail: 'The server met an unexpected condition. Try again later.',
      })
    default:
      return noticePage({
        status: failure.status,
        title: 'This request cannot be processed',
        detail: failure.description,
        role: 'alert',
      })
  }
}
