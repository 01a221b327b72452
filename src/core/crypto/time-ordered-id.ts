import { randomHex } from './random-token.js'

/**
 * An identifier whose text sorts in the order it was made: the time in milliseconds as 12 hex
 * digits, then 80 random bits as 20 hex digits (the layout of a UUIDv7, RFC 9562 §5.7, without
 * its version bits). For keys that need not be secret: grant ids, client ids.
 *
 * Why: a B-tree index grows at its right edge when new keys sort last, so the rows written by a
 * batch of requests share one leaf page. With random keys each row dirties a leaf of its own:
 * one more 4 KiB page written to SQLite's log (and checkpointed later) for every token issued.
 * Hex, not base64url, because SQLite and PostgreSQL (with C collation) compare text byte by byte,
 * and base64url's alphabet is not in byte order.
 */
export function timeOrderedId(now: number = Date.now()): string {
  return `${timePrefix(now)}${randomHex(10)}`
}

/** `now` in whole milliseconds as 12 lower-case hex digits (enough until the year 10889). */
export function timePrefix(now: number): string {
  return Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12)
}
