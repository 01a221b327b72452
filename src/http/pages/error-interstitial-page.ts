import type { OAuthError } from '../../errors.js'
import { html } from './layout.js'
import { noticePage } from './notice-page.js'

/**
 * The interstitial of docs/decisions.md A40 (RFC 9700 §4.11.2): an authorization error for a
 * client nobody vouched for, met before the user signed in. The error response is built as the
 * redirect would have been, but the user follows it by hand: a plain link (no script, no
 * meta refresh, so nothing sends the browser on by itself) to `location`, the redirect URI with
 * exactly the error, error_description, state and iss a redirect would carry. `redirectUri` is
 * that URI without the response, shown so the user sees where the link goes. 400, like the
 * page for a redirect URI that cannot be trusted at all (authorizationErrorPage), and with no
 * Location header.
 */
export function errorInterstitialPage(
  error: Pick<OAuthError, 'code' | 'description'>,
  location: string,
  redirectUri: string,
): Response {
  return noticePage({
    status: 400,
    title: 'This sign-in request cannot be processed',
    detail: error.description,
    role: 'alert',
    extra: html`<p class="muted">Error: <code id="error-code">${error.code}</code>.</p>
<p>The application that sent you here registered itself with this server, and nobody has reviewed it, so you have not been sent back to it automatically. If you started this sign-in from that application, you can return to it with this error:</p>
<p><a id="return-link" href="${location}" rel="noreferrer">Return to the application</a></p>
<p class="muted">The link goes to <code id="redirect-uri">${redirectUri}</code>.</p>`,
  })
}
