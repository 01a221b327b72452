import { OAuthError } from '../errors.js'
import { hasMediaType, readLimitedBody } from './read-limited-body.js'

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662
 * §2.1: the only encoding these endpoints accept) with a hard size limit. Errors: another
 * Content-Type → 415; too large → 413; bytes that are not UTF-8 → 400 invalid_request. All
 * `invalid_request`, the one RFC 6749 §5.2 code for a malformed request.
 */
export async function readFormBody(request: Request, maxBytes: number): Promise<URLSearchParams> {
  if (!hasMediaType(request.headers.get('content-type'), 'application/x-www-form-urlencoded')) {
    throw new OAuthError(
      'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded',
      { status: 415 },
    )
  }
  const bytes = await readLimitedBody(request, maxBytes)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new OAuthError('invalid_request', 'request body is not valid UTF-8')
  }
  // WHATWG form decoding: `+` is a space and percent-escapes are UTF-8, as RFC 6749 Appendix B says.
  return new URLSearchParams(text)
}
