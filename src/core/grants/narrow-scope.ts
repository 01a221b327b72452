import { scopeWithin } from '../scope/check-requested-scope.js'

/**
 * RFC 6749 §6 (and OAuth 2.1 §4.3.1): a refresh request "MUST NOT include any scope not
 * originally granted by the resource owner, and if omitted is treated as equal to the scope
 * originally granted". Narrowing is allowed, widening is invalid_scope. Returns the tokens.
 */
export function narrowScope(requested: string | null, granted: string): string[] {
  return scopeWithin(
    requested,
    granted,
    (outside, original) =>
      `scope may only narrow the original grant (${original.join(' ') || 'no scope'}); not granted: ${outside.join(' ')}`,
  )
}
