import { StoreUnavailableError } from '../core/store/store-unavailable-error.js'
import { OAuthError, toErrorDescription } from '../errors.js'
import type { Logger } from '../logger.js'
import { RequestAbortedError } from './read-limited-body.js'

/**
 * RFC 6749 §5.1 and docs/decisions.md A27: every response that carries credentials, or could, is
 * `no-store`; Pragma for HTTP/1.0 caches. Registration and error responses use it too.
 */
export const NO_STORE: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
}

const JSON_TYPE = 'application/json; charset=utf-8'

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = NO_STORE,
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': JSON_TYPE, ...headers },
  })
}

/**
 * Every failure as the one error type. An OAuthError is what the client sent or may fix; an
 * unreachable database (StoreUnavailableError) is not a bug, since the same request may succeed
 * shortly: 503 with Retry-After, logged as a warning because an outage repeats it for every
 * request. A client that hung up mid-body (RequestAbortedError) is routine, a closed laptop or a
 * cancelled fetch: logged at debug, without a stack, and answered with a 400 nobody will read.
 * Anything else is a bug: logged with its cause, answered with a fixed 500 that gives nothing
 * internal away.
 */
export function toOAuthError(error: unknown, logger: Logger): OAuthError {
  if (error instanceof OAuthError) return error
  if (error instanceof RequestAbortedError) {
    logger.debug?.({ reason: String(error.cause) }, error.message)
    return new OAuthError('invalid_request', 'the request body ended before it was complete')
  }
  if (error instanceof StoreUnavailableError) {
    logger.warn({ err: error }, 'database unavailable')
    return new OAuthError(
      'temporarily_unavailable',
      'the server cannot reach its database; retry later',
      { retryAfterSeconds: error.retryAfterSeconds },
    )
  }
  logger.error({ err: error }, 'unhandled error')
  return new OAuthError('server_error', 'the server met an unexpected condition')
}

/**
 * The headers an error carries as data: its challenge as WWW-Authenticate (RFC 9110 §11.6.1)
 * and when to retry as Retry-After (RFC 9110 §10.2.3). The core writes no header text.
 */
export function errorHeaders(error: OAuthError): Record<string, string> {
  const headers: Record<string, string> = {}
  if (error.challenge !== null) headers['WWW-Authenticate'] = error.challenge
  if (error.retryAfterSeconds !== null) headers['Retry-After'] = String(error.retryAfterSeconds)
  return headers
}

/** Renders any failure as `{"error", "error_description"}` (RFC 6749 §5.2, RFC 7591 §3.2.2). */
export function errorResponse(
  error: unknown,
  logger: Logger,
  extraHeaders: Readonly<Record<string, string>> = NO_STORE,
): Response {
  const failure = toOAuthError(error, logger)
  return jsonResponse(
    failure.status,
    { error: failure.code, error_description: toErrorDescription(failure.description) },
    failure.challenge === null && failure.retryAfterSeconds === null
      ? { ...NO_STORE, ...extraHeaders }
      : { ...NO_STORE, ...extraHeaders, ...errorHeaders(failure) },
  )
}
