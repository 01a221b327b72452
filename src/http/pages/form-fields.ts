import type { SafeHtml } from './layout.js'
import { html } from './layout.js'

/** The name of the CSRF token field in every form (see session/csrf.ts). */
export const CSRF_FIELD = 'csrf_token'

/** The CSRF token and the hidden inputs a form carries back, escaped. */
export function hiddenFields(
  csrfToken: string,
  hidden: Readonly<Record<string, string>>,
): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}">
${Object.entries(hidden).map(
  ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">
`,
)}`
}
