import type { Hono } from 'hono'
import { ENDPOINT_PATHS } from '../../core/discovery/endpoint-paths.js'
import type { HandlerEnv } from '../handler-env.js'
import { jsonResponse, NO_STORE } from '../render.js'
import type { RegistrarServices } from '../services.js'

/**
 * Probes for a load balancer or orchestrator, under the issuer's path like every endpoint:
 *
 * - `GET {issuer path}/healthz`: the process is alive and serving HTTP. Touches nothing else, so
 *   a database outage never gets healthy instances restarted (they recover by themselves). The
 *   exception is a store that says only a restart can fix it (Store.checkAlive: SQLite after a
 *   failed sync of its log): then 503, so that the orchestrator restarts the process.
 * - `GET {issuer path}/readyz`: the database answers and holds every migration this build
 *   needs. 503 takes the instance out of rotation until it does.
 */

/**
 * Kubernetes gives a probe 1 s by default and an AWS target group 5 s; 2 s answers within the
 * usual `timeoutSeconds: 3` even when the database hangs rather than refuses.
 */
const READY_TIMEOUT_MS = 2000

/** Retry-After on a failed readiness check: a probe interval is typically 5-10 s. */
const READY_RETRY_AFTER_SECONDS = 5

export function mountHealthRoutes(app: Hono<HandlerEnv>, services: RegistrarServices): void {
  const { options, store } = services
  app.get(`${options.basePath}${ENDPOINT_PATHS.health}`, () => {
    try {
      store.checkAlive?.()
    } catch (error) {
      options.logger.error({ err: error }, 'not alive: the store needs a restart of this process')
      return jsonResponse(503, {
        error: 'temporarily_unavailable',
        error_description: 'this process can no longer write to its database and must be restarted',
      })
    }
    return jsonResponse(200, { status: 'ok' })
  })
  app.get(`${options.basePath}${ENDPOINT_PATHS.ready}`, async () => {
    try {
      await withTimeout(store.checkReady(), READY_TIMEOUT_MS)
      return jsonResponse(200, { status: 'ready' })
    } catch (error) {
      options.logger.warn({ err: error }, 'not ready')
      return jsonResponse(
        503,
        {
          error: 'temporarily_unavailable',
          error_description: 'the database is unreachable or not migrated',
        },
        { ...NO_STORE, 'Retry-After': String(READY_RETRY_AFTER_SECONDS) },
      )
    }
  })
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database in ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
