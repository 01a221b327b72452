import type pg from 'pg'
import type { Logger } from '../../logger.js'

/**
 * node-postgres emits 'error' on a connection that breaks while nobody is using it (the server
 * restarted, a proxy cut it). Unhandled, that event would end the process; the pool drops the
 * connection by itself and the next request opens a new one. Checked-out clients get a listener
 * too: pg-pool removes its own while a client is lent out, and a client can break between two
 * statements of a transaction.
 */
export function watchForLostConnections(pool: pg.Pool, logger: Logger): void {
  const lost = (error: Error) => {
    logger.warn({ err: error }, 'database connection lost; the pool will reconnect')
  }
  pool.on('error', lost)
  pool.on('connect', (client) => {
    client.on('error', lost)
  })
}
