import { OAuthError, quote } from '../../errors.js'

// RFC 7636 §4.2: code-challenge = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * RFC 7636 §4.3-§4.4.1 with registrar's docs/decisions.md A19: every authorization code request carries
 * a PKCE challenge (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1), transformed with S256. `plain` protects
 * nothing against an attacker who can read the authorization request, and an omitted method
 * means `plain` (§4.3), so both are refused with invalid_request, as any other method is.
 * Returns the challenge to bind to the code.
 */
export function checkPkceChallenge(challenge: string | null, method: string | null): string {
  if (challenge === null) {
    throw new OAuthError(
      'invalid_request',
      'code_challenge is required: this server requires PKCE (RFC 7636) with code_challenge_method S256',
    )
  }
  if (method === null || method === 'plain') {
    throw new OAuthError(
      'invalid_request',
      `code_challenge_method must be S256${method === null ? ' (an omitted method means plain, RFC 7636 §4.3)' : ''}; plain is not supported`,
    )
  }
  if (method !== 'S256') {
    throw new OAuthError(
      'invalid_request',
      `code_challenge_method ${quote(method)} is not supported; use S256`,
    )
  }
  if (!CHALLENGE.test(challenge)) {
    throw new OAuthError(
      'invalid_request',
      'code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.2): BASE64URL(SHA256(code_verifier)) without padding',
    )
  }
  return challenge
}
