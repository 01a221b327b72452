// The load generator: wrk (Debian's `apt-get install wrk`) with bench/wrk/bench.lua, or
// autocannon (a devDependency) when wrk is missing. Both run as a child process on LOAD_CPU and
// report the same shape: BenchResult.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { LOAD_CPU, pinned, run } from './proc.mjs'

const WRK_SCRIPT = fileURLToPath(new URL('../wrk/bench.lua', import.meta.url))
const AUTOCANNON_CHILD = fileURLToPath(new URL('./autocannon-child.mjs', import.meta.url))

/**
 * What one workload sends. `static`: the same request every time. `authcode` (W5): a GET of
 * `authorizePath` answered by a 302 whose Location carries `code`, then a POST of
 * `tokenBody + code` to `tokenPath`.
 * @typedef {{ mode: 'static', method: string, path: string, headers: Record<string, string>, body?: string, expect: number[] }
 *   | { mode: 'authcode', authorizePath: string, headers: Record<string, string>, tokenPath: string, tokenHeaders: Record<string, string>, tokenBody: string, expect: number[] }} RequestSpec
 */

/**
 * What one run measured, whichever tool ran it.
 * @typedef {object} BenchResult
 * @property {number} requests responses received
 * @property {number} durationUs
 * @property {{ connect: number, read: number, write: number, timeout: number }} socketErrors
 * @property {{ p50: number, p99: number, mean: number, max: number }} latencyUs
 * @property {Record<string, number>} statuses count per HTTP status
 * @property {number} authorizes authcode mode: authorize answers (with a Location)
 * @property {number} tokens authcode mode: token answers
 * @property {number} missingCodes authcode mode: authorize answers whose Location had no code
 */

/**
 * @typedef {object} LoadTool
 * @property {'wrk' | 'autocannon'} name
 * @property {string} version
 * @property {string} note what the report says about its precision
 */

/**
 * wrk when it is installed (unless `preferred` says autocannon), else autocannon, else null.
 * @param {'auto' | 'wrk' | 'autocannon'} preferred
 * @returns {LoadTool | null}
 */
export function detectLoadTool(preferred) {
  if (preferred !== 'autocannon') {
    const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' })
    if (probe.error === undefined) {
      const version = /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown'
      return {
        name: 'wrk',
        version,
        note: 'wrk, one thread; latency recorded in µs (no coordinated-omission correction)',
      }
    }
    if (preferred === 'wrk') return null
  }
  try {
    const require = createRequire(import.meta.url)
    /** @type {{ version: string }} */
    const pkg = require('autocannon/package.json')
    return {
      name: 'autocannon',
      version: pkg.version,
      note: 'autocannon (wrk not installed); latency recorded in whole milliseconds',
    }
  } catch {
    return null
  }
}

/**
 * Runs one measurement.
 * @param {LoadTool} tool
 * @param {import('./proc.mjs').Pinning} pinning
 * @param {{ origin: string, spec: RequestSpec, connections: number, durationSeconds: number }} options
 * @returns {Promise<BenchResult>}
 */
export async function runLoad(tool, pinning, { origin, spec, connections, durationSeconds }) {
  const timeoutMs = (durationSeconds + 60) * 1000
  const [command, args] =
    tool.name === 'wrk'
      ? pinned(pinning, LOAD_CPU, [
          'wrk',
          '-t1',
          `-c${connections}`,
          `-d${durationSeconds}s`,
          '--timeout',
          '10s',
          '-s',
          WRK_SCRIPT,
          `${origin}/`,
        ])
      : pinned(pinning, LOAD_CPU, [
          process.execPath,
          AUTOCANNON_CHILD,
          JSON.stringify({ origin, spec, connections, durationSeconds }),
        ])
  const env = tool.name === 'wrk' ? wrkEnvironment(spec) : {}
  const { code, stdout, stderr } = await run(command, args, { env, timeoutMs })
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '))
  if (code !== 0 || line === undefined) {
    throw new Error(`${tool.name} failed (exit ${code}):\n${stdout}\n${stderr}`)
  }
  return /** @type {BenchResult} */ (JSON.parse(line.slice('BENCH_RESULT '.length)))
}

/** @param {Record<string, string>} headers */
function headerLines(headers) {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')
}

/**
 * @param {RequestSpec} spec
 * @returns {NodeJS.ProcessEnv}
 */
function wrkEnvironment(spec) {
  if (spec.mode === 'authcode') {
    return {
      BENCH_MODE: 'authcode',
      BENCH_AUTHORIZE_PATH: spec.authorizePath,
      BENCH_HEADERS: headerLines(spec.headers),
      BENCH_TOKEN_PATH: spec.tokenPath,
      BENCH_TOKEN_HEADERS: headerLines(spec.tokenHeaders),
      BENCH_TOKEN_BODY: spec.tokenBody,
    }
  }
  return {
    BENCH_MODE: 'static',
    BENCH_METHOD: spec.method,
    BENCH_PATH: spec.path,
    BENCH_HEADERS: headerLines(spec.headers),
    ...(spec.body === undefined ? {} : { BENCH_BODY: spec.body }),
  }
}

/**
 * Responses whose status the workload does not expect, plus socket errors: every one is an
 * error (for W5 the authorize 302 is expected, for the others only the workload's 2xx).
 * @param {BenchResult} result
 * @param {RequestSpec} spec
 */
export function errorCount(result, spec) {
  let errors = Object.values(result.socketErrors).reduce((a, b) => a + b, 0)
  for (const [status, count] of Object.entries(result.statuses)) {
    if (!spec.expect.includes(Number(status))) errors += count
  }
  return errors + result.missingCodes
}

/**
 * Throughput in operations per second: requests for the single-request workloads, completed
 * authorize + token round trips (token answers) for W5.
 * @param {BenchResult} result
 * @param {RequestSpec} spec
 */
export function throughput(result, spec) {
  const operations = spec.mode === 'authcode' ? result.tokens : result.requests
  return operations / (result.durationUs / 1e6)
}
