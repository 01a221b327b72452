// CPU time per request of registrar's own code, in process: no HTTP server, no load generator,
// so the figure does not move with what else the machine runs, as throughput does. For A/B
// comparisons of two builds (a refactoring that must not cost anything):
//
//   node bench/cpu-per-request.mjs [--tree DIR] [--requests N]
//
// DIR is a checkout whose dist/ is built (default: this one). Prints one JSON line: microseconds
// of process CPU (user + system) per request for W2 (client_credentials, a durable token write),
// W3 (RFC 7592 read) and W4 (discovery), each after 500 unmeasured requests. Run each build a
// few times, alternating, pinned to one CPU (`taskset -c 0`), and compare medians.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { tree: { type: 'string' }, requests: { type: 'string' } },
  strict: true,
})
const tree = resolve(values.tree ?? new URL('..', import.meta.url).pathname)
const requests = Number(values.requests ?? 20_000)
if (!Number.isSafeInteger(requests) || requests < 4) {
  console.error('--requests must be an integer of at least 4')
  process.exit(2)
}

const load = (path) => import(pathToFileURL(join(tree, 'dist', path)).href)
// Builds from before the composition root (src/registrar.ts) exported createRegistrar from the
// handler module.
const { createRegistrar } = await load('registrar.js').catch(() => load('http/handler.js'))
const { openSqliteStore } = await load('store/sqlite.js')

const issuer = 'http://127.0.0.1:8080'
const dir = mkdtempSync(join(tmpdir(), 'registrar-cpu-'))
const store = await openSqliteStore({ path: join(dir, 'registrar.db') })
try {
  const registrar = createRegistrar({
    issuer,
    store,
    registration: { rateLimit: false, allowedGrantTypes: ['client_credentials'] },
  })
  const registered = await registrar.fetch(
    new Request(`${issuer}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'], client_name: 'cpu bench' }),
    }),
  )
  const client = await registered.json()
  if (registered.status !== 201) throw new Error(`registration: ${JSON.stringify(client)}`)
  const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`

  const workloads = [
    [
      'W2',
      requests / 4, // a durable write each: a quarter as many keeps the run short
      () =>
        new Request(`${issuer}/token`, {
          method: 'POST',
          headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
    ],
    [
      'W3',
      requests,
      () =>
        new Request(client.registration_client_uri, {
          headers: { Authorization: `Bearer ${client.registration_access_token}` },
        }),
    ],
    ['W4', requests, () => new Request(`${issuer}/.well-known/oauth-authorization-server`)],
  ]
  const result = {}
  for (const [name, count, make] of workloads) {
    const run = async (times) => {
      for (let i = 0; i < times; i += 1) {
        const response = await registrar.fetch(make())
        if (response.status !== 200) throw new Error(`${name}: ${response.status}`)
        await response.arrayBuffer()
      }
    }
    await run(500)
    const start = process.cpuUsage()
    await run(count)
    const used = process.cpuUsage(start)
    result[name] = Number(((used.user + used.system) / count).toFixed(1))
  }
  console.log(JSON.stringify({ tree, microsecondsPerRequest: result }))
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
