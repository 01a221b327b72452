import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'

/**
 * SQLite's answers that say "not now" rather than "never", as StoreUnavailableError, which the
 * HTTP layer renders as 503 `temporarily_unavailable` with Retry-After instead of a 500
 * (https://sqlite.org/rescode.html):
 *
 * - SQLITE_BUSY (and its extended codes): another connection, such as a CLI command or a second
 *   server on the same file, held the write lock for longer than the busy timeout. Retrying in
 *   a second usually finds it free.
 * - SQLITE_LOCKED: the same, from a connection sharing this one's cache.
 * - SQLITE_FULL: the disk is full; writes succeed again once space is freed, and nothing was
 *   half-written (SQLite rolled the transaction back).
 *
 * Anything else is returned as it is: a constraint or a bug, which must not be retried.
 */
export function translateSqliteError(error: unknown): unknown {
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined
  if (typeof code !== 'string') return error
  if (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) {
    return new StoreUnavailableError(
      'the SQLite database is locked by another connection; retry shortly',
      { cause: error, retryAfterSeconds: 1 },
    )
  }
  if (code === 'SQLITE_FULL') {
    return new StoreUnavailableError('the disk holding the SQLite database is full', {
      cause: error,
    })
  }
  return error
}
