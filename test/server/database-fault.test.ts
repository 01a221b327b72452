import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { ServeProcess } from '../support/cli.js'
import { assertBuilt, runCli, serveCli } from '../support/cli.js'
import type { TestSchema } from '../support/postgres.js'
import {
  adminQuery,
  databaseAddress,
  describePostgres,
  testSchema,
  urlThrough,
} from '../support/postgres.js'
import type { TcpProxy } from '../support/tcp-proxy.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

/**
 * `registrar serve` reaches PostgreSQL through a TCP proxy the test breaks in the middle of a
 * stream of registrations and then mends. Registration runs in initial_access_token mode, so
 * that each registration is a transaction of two writes (count the token's use, insert the
 * client): a half-written one would show as a use without its client or the reverse.
 */
describePostgres('PostgreSQL going away under load', () => {
  let dir: string
  let schema: TestSchema
  let proxy: TcpProxy
  let server: ServeProcess | undefined
  let token: string
  let load: Load | undefined

  beforeEach(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'registrar-fault-'))
    schema = testSchema()
    proxy = await startTcpProxy(databaseAddress())
    // Migrates the schema and stores the token, directly rather than through the proxy.
    const created = await runCli(['initial-access-token', 'create', '--database', schema.url])
    expect(created.code, created.stderr).toBe(0)
    token = created.stdout.trim()
    const config = join(dir, 'registrar.json')
    await writeFile(
      config,
      JSON.stringify({
        registration: {
          mode: 'initial_access_token',
          // Present but out of reach, so that a limiter kept in the database is exercised too.
          rateLimit: { max: 1_000_000, windowSeconds: 3600 },
        },
      }),
    )
    server = await serveCli([
      '--port',
      '0',
      '--config',
      config,
      '--database',
      // Short timeouts keep the test short; the defaults are 5 s.
      urlThrough(proxy.port, {
        schema: schema.name,
        connect_timeout: '1',
        statement_timeout: '1000',
      }),
    ])
  })

  afterEach(async () => {
    await load?.stop()
    load = undefined
    if (server !== undefined) await server.stop()
    await proxy.close()
    await schema.drop()
    await rm(dir, { recursive: true, force: true })
  })

  it.each([
    ['cut (connections reset)', (p: TcpProxy) => p.cut()],
    ['stalled (a partition: no answer at all)', (p: TcpProxy) => p.stall()],
  ])(
    'database %s: only 201 or 503 with Retry-After, nothing half-written, and service resumes by itself',
    async (_label, breakConnection) => {
      const running = server
      if (running === undefined) throw new Error('server did not start')
      const traffic = startLoad(running.url, token, 6)
      load = traffic

      await traffic.until((results) => created(results) >= 20, 'registrations before the fault')
      breakConnection(proxy)
      const brokenAt = traffic.results.length
      await traffic.until(
        (results) => results.slice(brokenAt).filter((r) => r.status === 503).length >= 5,
        '503s during the fault',
      )
      // Alive, but out of rotation.
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200)
      expect((await fetch(`${running.url}/readyz`)).status).toBe(503)

      proxy.restore()
      const restoredAt = traffic.results.length
      await traffic.until(
        (results) => created(results.slice(restoredAt)) >= 20,
        'registrations after the database came back',
      )
      await traffic.stop()
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200)

      const results = traffic.results
      const statuses = new Set(results.map((result) => result.status))
      expect([...statuses].sort()).toEqual([201, 503])
      for (const failed of results.filter((result) => result.status === 503)) {
        expect(failed.error).toBe('temporarily_unavailable')
        expect(Number(failed.retryAfter)).toBeGreaterThanOrEqual(1)
      }
      // Every request was answered, none of them slower than the timeouts allow.
      expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(10_000)

      // Nothing half-written: each counted use has its client and each client its use. A 503
      // whose COMMIT did reach the database counts on both sides, which is fine.
      const clients = await adminQuery<{ client_id: string }>(
        `select client_id from ${schema.name}.clients`,
      )
      const [tokenRow] = await adminQuery<{ uses: string }>(
        `select uses from ${schema.name}.initial_access_tokens`,
      )
      expect(Number(tokenRow?.uses)).toBe(clients.length)
      const stored = new Set(clients.map((row) => row.client_id))
      for (const ok of results.filter((result) => result.status === 201)) {
        expect(stored.has(ok.clientId ?? '')).toBe(true)
      }

      // The process never crashed or logged a bug, and still stops cleanly.
      expect(running.child.exitCode).toBeNull()
      expect(running.stderr()).not.toContain('unhandled error')
      expect(await running.stop()).toBe(0)
      server = undefined
    },
    60_000,
  )
})

interface Result {
  readonly status: number
  readonly ms: number
  readonly error?: string
  readonly retryAfter: string | null
  readonly clientId?: string
}

function created(results: readonly Result[]): number {
  return results.filter((result) => result.status === 201).length
}

interface Load {
  readonly results: readonly Result[]
  until(condition: (results: readonly Result[]) => boolean, what: string): Promise<void>
  stop(): Promise<void>
}

/** `workers` loops registering one client after another until stopped. */
function startLoad(url: string, token: string, workers: number): Load {
  const results: Result[] = []
  let stopping = false
  const worker = async () => {
    while (!stopping) {
      const started = Date.now()
      let response: Response
      let body: { error?: string; client_id?: string }
      try {
        response = await fetch(`${url}/register`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] }),
        })
        body = (await response.json()) as typeof body
      } catch {
        // No answer at all (the process died, or dropped the connection): status 0, which the
        // test refuses, and no point hammering a port nobody listens on.
        results.push({ status: 0, ms: Date.now() - started, retryAfter: null })
        return
      }
      results.push({
        status: response.status,
        ms: Date.now() - started,
        retryAfter: response.headers.get('retry-after'),
        ...(body.error === undefined ? {} : { error: body.error }),
        ...(body.client_id === undefined ? {} : { clientId: body.client_id }),
      })
      // A 503 says to come back later; a real client would wait Retry-After, the test 50 ms.
      if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const running = Array.from({ length: workers }, worker)
  return {
    results,
    async until(condition: (results: readonly Result[]) => boolean, what: string) {
      const deadline = Date.now() + 20_000
      while (!condition(results)) {
        if (Date.now() > deadline) {
          const seen = results.map((result) => result.status).join(',')
          throw new Error(`timed out waiting for ${what}; statuses so far: ${seen}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async stop() {
      stopping = true
      await Promise.all(running)
    },
  }
}
