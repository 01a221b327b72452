import { OAuthError, quote } from '../../errors.js'
import { parseScope } from '../scope/parse-scope.js'

/**
 * RFC 6749 §6 (and OAuth 2.1 §4.3.1): a refresh request "MUST NOT include any scope not
 * originally granted by the resource owner, and if omitted is treated as equal to the scope
 * originally granted". Narrowing is allowed, widening is invalid_scope. Returns the tokens.
 */
export function narrowScope(requested: string | null, granted: string): string[] {
  const original = parseScope(granted)
  if (requested === null) return original
  let tokens: string[]
  try {
    tokens = parseScope(requested)
  } catch {
    throw new OAuthError(
      'invalid_scope',
      `scope ${quote(requested)} is not a valid list of scope tokens`,
    )
  }
  const wider = tokens.filter((token) => !original.includes(token))
  if (wider.length > 0) {
    throw new OAuthError(
      'invalid_scope',
      `scope may only narrow the original grant (${original.join(' ') || 'no scope'}); not granted: ${wider.join(' ')}`,
    )
  }
  return tokens
}
