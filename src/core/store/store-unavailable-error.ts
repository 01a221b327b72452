/**
 * The database could not be reached, or did not answer in time: nothing about the request was
 * wrong, and the same request may succeed shortly. A Store throws it instead of the driver's own
 * error so that the HTTP layer can answer 503 `temporarily_unavailable` with Retry-After (RFC
 * 6749 §4.1.2.1, RFC 9110 §15.6.4) without knowing which driver said what.
 *
 * A write that fails this way may or may not have been committed (the connection can drop after
 * COMMIT reached the server and before its answer came back). Every write registrar makes is a
 * single statement or a transaction, so it either happened whole or not at all.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  /**
   * Sent as Retry-After. 5 s by default: the PostgreSQL store's connect timeout, so a retry
   * comes once the pool has had a full attempt at reconnecting.
   */
  readonly retryAfterSeconds: number

  constructor(
    message: string,
    options: { readonly cause?: unknown; readonly retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5
  }
}
