/**
 * Schemes that execute or embed content in the browser instead of handing the response to an
 * app. A redirect to any of them turns the authorization server into a script launcher
 * (RFC 9700 §2.6, §4.11), so they are refused for every client, whatever the configuration.
 * Values are URL.protocol strings, lowercase with the colon.
 */
export const DANGEROUS_SCHEMES: ReadonlySet<string> = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'about:',
  'blob:',
])
