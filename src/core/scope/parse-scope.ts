import { invalidClientMetadata, quote } from '../../errors.js'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), space-delimited.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Splits a scope string into its distinct tokens, in first-seen order. Repeated spaces are
 * tolerated (clients build these strings by joining arrays); a token with a forbidden character
 * is an error naming the token.
 */
export function parseScope(scope: string, field = 'scope'): string[] {
  const tokens = scope.split(' ').filter((token) => token !== '')
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) {
      throw invalidClientMetadata(
        `${field} value ${quote(token)} contains characters RFC 6749 §3.3 does not allow in a scope token`,
      )
    }
  }
  return [...new Set(tokens)]
}
