import { afterEach, describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../../src/core/store/store-unavailable-error.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

describe('health probes', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('GET /healthz answers 200 {"status":"ok"}, not cached', async () => {
    server = await startTestServer()
    const response = await fetch(`${server.url}/healthz`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it('GET /readyz answers 200 while the database answers', async () => {
    server = await startTestServer()
    const response = await fetch(`${server.url}/readyz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  it('HEAD works for both, for load balancers that probe with HEAD', async () => {
    server = await startTestServer()
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${server.url}${path}`, { method: 'HEAD' })
      expect(response.status, path).toBe(200)
    }
  })

  it('GET /readyz answers 503 temporarily_unavailable with Retry-After once the database is gone, while /healthz stays 200', async () => {
    server = await startTestServer()
    await server.store.close()
    const ready = await fetch(`${server.url}/readyz`)
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).toBe('5')
    expect(((await ready.json()) as { error: string }).error).toBe('temporarily_unavailable')
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })

  it('GET /healthz answers 503 once the store says only a restart can fix it (a failed sync of the SQLite log), and /readyz too', async () => {
    server = await startTestServer()
    // The state a failed fdatasync leaves (src/store/sqlite/wal-sync.ts), which a test cannot
    // provoke on a working disk: the store's own check then throws, without touching the database.
    const failure = new StoreUnavailableError('the SQLite write-ahead log could not be synced')
    Object.assign(server.store, {
      checkAlive: () => {
        throw failure
      },
      checkReady: () => Promise.reject(failure),
    })
    const alive = await fetch(`${server.url}/healthz`)
    expect(alive.status).toBe(503)
    expect(alive.headers.get('cache-control')).toBe('no-store')
    expect(await alive.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'this process can no longer write to its database and must be restarted',
    })
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503)
  })

  it('are served under the issuer path, like every endpoint', async () => {
    server = await startTestServer({ issuerPath: '/tenant' })
    expect((await fetch(`${server.url}/tenant/healthz`)).status).toBe(200)
    expect((await fetch(`${server.url}/tenant/readyz`)).status).toBe(200)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(404)
  })
})
