import type { SafeHtml } from './layout.js'
import { html, htmlPage } from './layout.js'

/**
 * A page that only tells the user something: an error that cannot be sent back to the client,
 * a refusal, "signed out". `detail` is escaped text; `extra` is markup built with `html`.
 */
export function noticePage(options: {
  readonly status: number
  readonly title: string
  readonly detail?: string
  readonly extra?: SafeHtml
  readonly role?: 'alert'
  readonly cookies?: readonly string[]
  readonly headers?: Readonly<Record<string, string>>
}): Response {
  const body = html`<h1>${options.title}</h1>
${options.detail === undefined ? null : html`<p${options.role === 'alert' ? html` class="error" role="alert"` : null} id="detail">${options.detail}</p>`}
${options.extra ?? null}`
  return htmlPage({
    status: options.status,
    title: options.title,
    body,
    ...(options.cookies === undefined ? {} : { cookies: options.cookies }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  })
}
