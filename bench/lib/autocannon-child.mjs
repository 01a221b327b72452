// Runs one autocannon measurement in a process of its own (so it can be pinned to the load CPU)
// and prints `BENCH_RESULT {json}` in the shape bench/wrk/bench.lua prints. Used when wrk is
// not installed. argv[2]: JSON { origin, spec, connections, durationSeconds }.
import autocannon from 'autocannon'

/** @type {{ origin: string, spec: import('./load.mjs').RequestSpec, connections: number, durationSeconds: number }} */
const options = JSON.parse(process.argv[2] ?? '{}')
const { origin, spec, connections, durationSeconds } = options

let authorizes = 0
let tokens = 0
let missingCodes = 0

/**
 * @param {Record<string, string | string[]>} headers
 * @param {string} name lowercase
 */
function header(headers, name) {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

/** @type {Record<string, unknown>[]} */
const requests =
  spec.mode === 'authcode'
    ? [
        {
          method: 'GET',
          path: spec.authorizePath,
          headers: spec.headers,
          onResponse: (
            /** @type {number} */ _status,
            /** @type {string} */ _body,
            /** @type {{ code?: string | undefined }} */ context,
            /** @type {Record<string, string | string[]>} */ headers,
          ) => {
            authorizes++
            const location = header(headers, 'location')
            const code = location === undefined ? null : new URL(location).searchParams.get('code')
            if (code === null) missingCodes++
            context.code = code ?? undefined
          },
        },
        {
          method: 'POST',
          path: spec.tokenPath,
          headers: spec.tokenHeaders,
          // No code (the authorize answer failed): autocannon starts the sequence again.
          setupRequest: (
            /** @type {Record<string, unknown>} */ request,
            /** @type {{ code?: string | undefined }} */ context,
          ) =>
            context.code === undefined
              ? undefined
              : { ...request, body: spec.tokenBody + encodeURIComponent(context.code) },
          onResponse: () => {
            tokens++
          },
        },
      ]
    : [
        {
          method: spec.method,
          path: spec.path,
          headers: spec.headers,
          ...(spec.body === undefined ? {} : { body: spec.body }),
        },
      ]

const result = await autocannon({
  url: origin,
  connections,
  duration: durationSeconds,
  pipelining: 1,
  timeout: 10,
  requests,
})

/** @type {Record<string, number>} */
const statuses = {}
for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
  statuses[status] = /** @type {{ count: number }} */ (stats).count
}
const out = {
  requests: Object.values(statuses).reduce((a, b) => a + b, 0),
  durationUs: Math.round(result.duration * 1e6),
  socketErrors: {
    connect: 0,
    read: result.errors - result.timeouts,
    write: 0,
    timeout: result.timeouts,
  },
  latencyUs: {
    p50: result.latency.p50 * 1000,
    p99: result.latency.p99 * 1000,
    mean: result.latency.average * 1000,
    max: result.latency.max * 1000,
  },
  statuses,
  authorizes,
  tokens,
  missingCodes,
}
process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`)
