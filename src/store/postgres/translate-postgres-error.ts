import pg from 'pg'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'

/**
 * SQLSTATEs that say "not now" rather than "never": 08 connection exceptions; 53 insufficient
 * resources (too many connections, disk full); 57P01-57P03 shutting down, crashed, starting up;
 * 57014 statement_timeout; 40001 and 40P01 serialization failure and deadlock, which a retry
 * resolves; 55P03 lock timeout; 25006 a write reaching a read-only standby, as happens for a
 * moment during a failover.
 */
const TRANSIENT_SQLSTATE = /^(08...|53...|57P0[123]|57014|40001|40P01|55P03|25006)$/

/** Socket errors of Node.js: the database's host is away, refusing or unreachable. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * node-postgres reports a lost connection and its own timeouts with these messages and no code
 * (pg 8.23, pg-pool 3.14).
 */
const DRIVER_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'timeout expired',
])

/** Whether `error` means the database is away or overloaded, for now, rather than refusing. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const state = sqlState(error)
  if (state !== null) return TRANSIENT_SQLSTATE.test(state)
  const code = (error as NodeJS.ErrnoException).code
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true
  return DRIVER_MESSAGES.has(error.message)
}

/** The SQLSTATE of an error the server sent; null for errors of the socket or the driver. */
export function sqlState(error: unknown): string | null {
  return error instanceof pg.DatabaseError ? (error.code ?? null) : null
}

/** StoreUnavailableError (503) for an error isUnavailable; any other error as it is. */
export function translatePostgresError(error: unknown): unknown {
  if (!isUnavailable(error)) return error
  const detail = error instanceof Error ? error.message : String(error)
  return new StoreUnavailableError(`database unavailable: ${detail}`, { cause: error })
}
