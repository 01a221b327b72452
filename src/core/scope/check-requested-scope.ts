import { OAuthError, quote } from '../../errors.js'
import { parseScope } from './parse-scope.js'

/**
 * The requested scope tokens when they all lie within `allowed` (a space-separated scope);
 * an omitted scope means all of `allowed`. Anything outside is `invalid_scope`, worded by
 * `refusal` for the rule at hand.
 */
export function scopeWithin(
  requested: string | null,
  allowed: string,
  refusal: (outside: readonly string[], allowed: readonly string[]) => string,
): string[] {
  const allowedTokens = parseScope(allowed)
  if (requested === null) return allowedTokens
  let tokens: string[]
  try {
    tokens = parseScope(requested)
  } catch {
    throw new OAuthError(
      'invalid_scope',
      `scope ${quote(requested)} is not a valid list of scope tokens`,
    )
  }
  const outside = tokens.filter((token) => !allowedTokens.includes(token))
  if (outside.length > 0) throw new OAuthError('invalid_scope', refusal(outside, allowedTokens))
  return tokens
}

/**
 * RFC 6749 §3.3: the requested scope must lie within what the client registered (and so within
 * the server's scopes, which registration already enforced). Returns the granted scope tokens,
 * in request order.
 */
export function checkRequestedScope(requested: string | null, registered: string): string[] {
  return scopeWithin(
    requested,
    registered,
    (outside, allowed) =>
      `scope values not registered for this client: ${outside.join(' ')}${allowed.length > 0 ? `; registered: ${allowed.join(' ')}` : ''}`,
  )
}
