import { hiddenFields } from './form-fields.js'
import { html, htmlPage } from './layout.js'
import type { LoginPageContext } from './page-contexts.js'

/**
 * The built-in sign-in form (standalone mode): username with autocomplete=username so password
 * managers fill it, password with autocomplete=current-password, and the pending authorization
 * request carried along in hidden inputs.
 */
export function loginPage(
  context: LoginPageContext,
  options: {
    readonly status: number
    readonly formTargets: readonly string[]
    readonly cookies: readonly string[]
    readonly headers?: Readonly<Record<string, string>>
    readonly username?: string
  },
): Response {
  const body = html`<h1>Sign in</h1>
${context.error === null ? null : html`<p class="error" role="alert" id="login-error">${context.error}</p>`}
<form method="post" action="${context.action}">
${hiddenFields(context.csrfToken, context.hidden)}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${options.username ?? ''}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`
  return htmlPage({
    status: options.status,
    title: 'Sign in',
    body,
    formTargets: options.formTargets,
    cookies: options.cookies,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  })
}
