import { invalidClientMetadata, OAuthError } from '../errors.js'
import { hasMediaType, readLimitedBody } from './read-limited-body.js'

/**
 * Reads a JSON request body with a hard size limit, so a client can neither exhaust memory nor
 * hold the request open by sending more. Errors, per docs/decisions.md A11: a Content-Type other than
 * application/json → 415; too large → 413; not UTF-8 or not JSON → 400 invalid_client_metadata.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  // `application/json`, optionally with parameters; a charset other than UTF-8 is refused.
  if (!hasMediaType(request.headers.get('content-type'), 'application/json')) {
    throw new OAuthError('invalid_request', 'Content-Type must be application/json', {
      status: 415,
    })
  }
  const bytes = await readLimitedBody(request, maxBytes)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw invalidClientMetadata('request body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw invalidClientMetadata('request body is not valid JSON')
  }
}
