import { hiddenFields } from './form-fields.js'
import { html, htmlPage } from './layout.js'
import { noticePage } from './notice-page.js'
import type { ConsentPageContext } from './page-contexts.js'

/**
 * The built-in consent page: who is asking (name, logo, homepage), for what (each scope in
 * words, each resource), where the answer goes (the redirect host, which MCP asks to show
 * clearly), and, for a client nobody vouches for (trust tier `anonymous`: it registered itself,
 * admitted by nobody, without a trusted software statement that asserts its redirect URIs), a
 * plain warning that nobody has checked who it is (RFC 7591 §5: its metadata is self-asserted),
 * its name marked "as claimed" (docs/decisions.md A41, B7).
 */
export function consentPage(
  context: ConsentPageContext,
  options: { readonly formTargets: readonly string[]; readonly cookies: readonly string[] },
): Response {
  const { client } = context
  const name = client.name ?? client.clientId
  const logo =
    client.logoUri !== null && URL.parse(client.logoUri)?.protocol === 'https:'
      ? html`<img src="${client.logoUri}" alt="" width="48" height="48">`
      : null
  const homepage =
    client.clientUri === null
      ? null
      : html`<p class="muted">Homepage: <a href="${client.clientUri}" rel="noopener noreferrer">${client.clientUri}</a></p>`
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(client.redirectHost)
  const claimed =
    client.unverified && client.name !== null
      ? html` <span class="muted" id="name-claimed">(as claimed)</span>`
      : null
  const body = html`<div class="client">${logo}<h1>Allow <span id="client-name">${name}</span>${claimed} to access your account?</h1></div>
${homepage}
${unverifiedNotice(client)}
<p>Signed in as <strong>${context.user.username ?? context.user.id}</strong>. ${name} is asking to:</p>
<ul id="scopes">
${context.scopes.map(
  (scope) =>
    html`<li>${scope.description}${scope.description === scope.value ? null : html` <code class="muted">${scope.value}</code>`}</li>
`,
)}${context.scopes.length === 0 ? html`<li>Know who you are</li>` : null}
</ul>
${
  context.resources.length === 0
    ? null
    : html`<p>For use with:</p>
<ul id="resources">${context.resources.map((resource) => html`<li><code>${resource}</code></li>`)}</ul>`
}
<p>Whatever you choose, you will be sent to <strong id="redirect-host">${client.redirectHost}</strong>${local ? ', an application running on this device' : null}.</p>
<form method="post" action="${context.action}">
${hiddenFields(context.csrfToken, context.hidden)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`
  return htmlPage({
    status: 200,
    title: `Allow ${name}?`,
    body,
    formTargets: options.formTargets,
    cookies: options.cookies,
  })
}

function unverifiedNotice(client: ConsentPageContext['client']) {
  if (!client.unverified) return null
  const advice =
    'Only allow it if you started this sign-in yourself, from an application you trust.'
  if (client.softwareStatementIssuer === null) {
    return html`<p class="warning" role="alert" id="unverified-notice"><strong>Unverified application.</strong> This application registered itself with this server and nobody has verified who publishes it: its name and logo are whatever it chose. ${advice}</p>`
  }
  // docs/decisions.md A41: the statement is genuine but does not name where the application
  // sends you, so anyone may have copied it next to their own redirect URIs.
  return html`<p class="warning" role="alert" id="unverified-notice"><strong>Unverified application.</strong> It presented a software statement from <strong id="statement-issuer">${client.softwareStatementIssuer}</strong>, but that statement does not say where this application sends you, so anyone could have copied it: its name and logo are shown as claimed, not verified. ${advice}</p>`
}

/**
 * 409 for a consent decision about a client that changed since its page was shown (a PUT over
 * RFC 7592, docs/decisions.md A41): nothing is sent to the client, and the user may look again at
 * the request as the client now is.
 */
export function clientChangedPage(restartUrl: string): Response {
  return noticePage({
    status: 409,
    title: 'This application changed',
    detail:
      'The application changed its registration while this page was open, so your answer was not used and nothing was sent to it.',
    role: 'alert',
    extra: html`<p><a id="start-again" href="${restartUrl}">Start again</a> to see what it asks for now, and who it is now.</p>`,
  })
}
