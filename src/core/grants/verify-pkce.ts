import { createHash, timingSafeEqual } from 'node:crypto'
import { OAuthError } from '../../errors.js'

// RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * RFC 7636 §4.6: the server computes BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) and compares
 * it with the code_challenge bound to the code; only S256 exists here (docs/decisions.md A19). A missing,
 * malformed or wrong verifier is invalid_grant (docs/decisions.md A20, RFC 7636 §4.6), so the code cannot
 * be redeemed by whoever intercepted it without the verifier.
 */
export function verifyPkce(codeVerifier: string | null, codeChallenge: string): void {
  if (codeVerifier === null) {
    throw new OAuthError(
      'invalid_grant',
      'code_verifier is required: the authorization request carried a code_challenge (RFC 7636 §4.5)',
    )
  }
  if (!CODE_VERIFIER.test(codeVerifier)) {
    throw new OAuthError(
      'invalid_grant',
      'code_verifier must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)',
    )
  }
  const computed = createHash('sha256').update(codeVerifier, 'ascii').digest()
  const expected = Buffer.from(codeChallenge, 'base64url')
  // Constant time, so the comparison leaks nothing about the challenge byte by byte.
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge')
  }
}
