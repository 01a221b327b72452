import { OAuthError, quote } from '../../errors.js'
import { parseScope } from './parse-scope.js'

/**
 * RFC 6749 §3.3: the requested scope must lie within what the client registered (and so within
 * the server's scopes, which registration already enforced). An omitted scope means the
 * client's registered scope. Returns the granted scope tokens, in request order.
 */
export function checkRequestedScope(requested: string | null, registered: string): string[] {
  const allowed = parseScope(registered)
  if (requested === null) return allowed
  let tokens: string[]
  try {
    tokens = parseScope(requested)
  } catch {
    throw new OAuthError(
      'invalid_scope',
      `scope ${quote(requested)} is not a valid list of scope tokens`,
    )
  }
  const outside = tokens.filter((token) => !allowed.includes(token))
  if (outside.length > 0) {
    throw new OAuthError(
      'invalid_scope',
      `scope values not registered for this client: ${outside.join(' ')}${allowed.length > 0 ? `; registered: ${allowed.join(' ')}` : ''}`,
    )
  }
  return tokens
}
