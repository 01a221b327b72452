import { OAuthError, toErrorDescription } from '../errors.js'
import type { Logger } from '../logger.js'
import { StoreUnavailableError } from '../store/store-unavailable-error.js'

/**
 * RFC 6749 §5.1 and decision A27: every response that carries credentials, or could, is
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
 * Renders an error as `{"error", "error_description"}` (RFC 6749 §5.2, RFC 7591 §3.2.2).
 * A StoreUnavailableError is an outage, not a bug: 503 `temporarily_unavailable` with
 * Retry-After. Anything else that is not an OAuthError is a bug: it is logged with its cause and
 * the client gets a fixed 500 that gives nothing internal away.
 */
export function errorResponse(
  error: unknown,
  logger: Logger,
  extraHeaders: Readonly<Record<string, string>> = {},
): Response {
  if (error instanceof OAuthError) {
    return jsonResponse(
      error.status,
      { error: error.code, error_description: toErrorDescription(error.description) },
      { ...NO_STORE, ...extraHeaders, ...error.headers },
    )
  }
  if (error instanceof StoreUnavailableError) {
    // Not a bug: the database is away or overloaded, and the same request may succeed shortly.
    // A warning, since an outage repeats it for every request until the database is back.
    logger.warn({ err: error }, 'database unavailable')
    return jsonResponse(
      503,
      {
        error: 'temporarily_unavailable',
        error_description: 'the server cannot reach its database; retry later',
      },
      { ...NO_STORE, ...extraHeaders, 'Retry-After': String(error.retryAfterSeconds) },
    )
  }
  logger.error({ err: error }, 'unhandled error')
  return jsonResponse(
    500,
    { error: 'server_error', error_description: 'the server met an unexpected condition' },
    { ...NO_STORE, ...extraHeaders },
  )
}
