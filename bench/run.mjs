#!/usr/bin/env node
// `npm run bench`: the benchmark harness of issue #6. Starts each target as its own process, one
// at a time (B0, registrar on SQLite, registrar on PostgreSQL when TEST_DATABASE_URL is set,
// oidc-provider), drives W1–W5 at 32 and 1 requests in flight with wrk (or autocannon), in
// interleaved repetitions, then measures registrar's memory and profiles W1. Writes
// bench/results/<timestamp>.md (and .json). `node bench/run.mjs --help` lists the options.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { detectLoadTool, errorCount, runLoad, throughput } from './lib/load.mjs'
import { measureMemory } from './lib/memory.mjs'
import { killAll, setUpPinning } from './lib/proc.mjs'
import { profileRegistration } from './lib/profile.mjs'
import {
  addRatios,
  renderReport,
  summarise,
  summaryTable,
  verdicts,
  verdictTable,
} from './lib/report.mjs'
import {
  postgresVersion,
  startTarget,
  TARGET_NAMES,
  TARGET_WORKLOADS,
  WORKLOADS,
} from './lib/targets.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

const HELP = `npm run bench -- [options]

  --quick                  1 repetition of 2 s, no warm-up, a short memory check (200 + 1,000
                           registrations, no soak), no profile
  --targets <list>         comma-separated: ${TARGET_NAMES.join(', ')}
                           (default: all; registrar-postgres only when TEST_DATABASE_URL is set)
  --workloads <list>       comma-separated: ${WORKLOADS.join(', ')} (default: all)
  --concurrency <list>     requests in flight (default 32,1)
  --reps <n>               interleaved repetitions (default 3)
  --duration <s>           seconds per measured run above 1 in flight (default 3)
  --duration-c1 <s>        seconds per measured run at 1 in flight (default 2)
  --warmup <s>             seconds of unmeasured load before each workload (default 1; 0: none)
  --memory-warmup <n>      registrations before the first heap reading (default 2000)
  --memory-clients <n>     registrations between the heap readings (default 10000)
  --memory-soak <n>        registrations along which VmRSS is sampled (default 100000; 0: skip)
  --no-memory              skip the memory measurement
  --profile-seconds <s>    length of the W1 CPU profile (default 10; 0: skip)
  --load <tool>            auto (wrk, else autocannon), wrk or autocannon (default auto)
  --no-pin                 do not pin servers and load generator to CPUs with taskset
  --out <dir>              where the report goes (default bench/results)

registrar runs from dist/: run \`npm run build\` first. PostgreSQL: TEST_DATABASE_URL (a schema
is made for each run and dropped after).`

/** @param {string} message */
function fail(message) {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(2)
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    targets: { type: 'string' },
    workloads: { type: 'string' },
    concurrency: { type: 'string' },
    reps: { type: 'string' },
    duration: { type: 'string' },
    'duration-c1': { type: 'string' },
    warmup: { type: 'string' },
    'memory-warmup': { type: 'string' },
    'memory-clients': { type: 'string' },
    'memory-soak': { type: 'string' },
    'no-memory': { type: 'boolean' },
    'profile-seconds': { type: 'string' },
    load: { type: 'string' },
    'no-pin': { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
})
if (values.help === true) {
  process.stdout.write(`${HELP}\n`)
  process.exit(0)
}

const quick = values.quick === true
/**
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 */
function integer(name, fallback, min) {
  const raw = /** @type {Record<string, unknown>} */ (values)[name]
  if (raw === undefined) return fallback
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min) {
    fail(`--${name} must be an integer of at least ${min} (wrk counts whole seconds), got '${raw}'`)
  }
  return Number(raw)
}
/**
 * @template {string} T
 * @param {string | undefined} raw
 * @param {readonly T[]} allowed
 * @param {string} flag
 * @returns {T[] | undefined}
 */
function list(raw, allowed, flag) {
  if (raw === undefined) return undefined
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  /** @type {T[]} */
  const out = []
  for (const item of items) {
    const found = allowed.find((a) => a.toLowerCase() === item.toLowerCase())
    if (found === undefined) fail(`--${flag}: unknown '${item}' (one of ${allowed.join(', ')})`)
    else out.push(found)
  }
  return out
}

const databaseUrl = process.env.TEST_DATABASE_URL || undefined
const notes = /** @type {string[]} */ ([])
let targets = list(values.targets, TARGET_NAMES, 'targets')
if (targets === undefined) {
  targets = TARGET_NAMES.filter((t) => t !== 'registrar-postgres' || databaseUrl !== undefined)
  if (databaseUrl === undefined) {
    notes.push('registrar-postgres was skipped: TEST_DATABASE_URL is not set.')
    process.stderr.write('bench: registrar-postgres skipped: TEST_DATABASE_URL is not set\n')
  }
} else if (targets.includes('registrar-postgres') && databaseUrl === undefined) {
  fail('registrar-postgres needs TEST_DATABASE_URL (postgres://user@host:5432/db)')
}
// B0 is what every ratio divides by: always measured.
if (!targets.includes('b0')) targets.unshift('b0')
const workloads = list(values.workloads, WORKLOADS, 'workloads') ?? [...WORKLOADS]
const concurrency = (values.concurrency ?? '32,1').split(',').map((c) => {
  if (!/^\d+$/.test(c.trim()) || Number(c) < 1) fail(`--concurrency: '${c}' is not a count`)
  return Number(c)
})
const reps = integer('reps', quick ? 1 : 3, 1)
const duration = integer('duration', quick ? 2 : 3, 1)
const durationC1 = integer('duration-c1', 2, 1)
const warmup = integer('warmup', quick ? 0 : 1, 0)
const memoryWanted = values['no-memory'] !== true && targets.includes('registrar-sqlite')
const memoryWarmup = integer('memory-warmup', quick ? 200 : 2000, 1)
const memoryClients = integer('memory-clients', quick ? 1000 : 10_000, 1)
const memorySoak = integer('memory-soak', quick ? 0 : 100_000, 0)
const profileSeconds = targets.includes('registrar-sqlite')
  ? integer('profile-seconds', quick ? 0 : 10, 0)
  : 0
const loadPreference = values.load ?? 'auto'
if (loadPreference !== 'auto' && loadPreference !== 'wrk' && loadPreference !== 'autocannon') {
  fail(`--load must be auto, wrk or autocannon, got '${loadPreference}'`)
}
const outDir = values.out ?? join(ROOT, 'bench/results')

if (!existsSync(join(ROOT, 'dist/cli/run.js'))) {
  fail('registrar is not built: run `npm run build` first (registrar runs from dist/)')
}
const tool = detectLoadTool(/** @type {'auto' | 'wrk' | 'autocannon'} */ (loadPreference))
if (tool === null) {
  fail(
    loadPreference === 'wrk'
      ? 'wrk is not installed (Debian: apt-get install -y wrk)'
      : 'no load generator: install wrk (Debian: apt-get install -y wrk) or run `npm ci` for autocannon',
  )
  process.exit(2)
}
const pinning = setUpPinning(values['no-pin'] !== true)
if (!pinning.enabled) process.stderr.write(`bench: CPU pinning ${pinning.description}\n`)

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    killAll()
    process.stderr.write(`bench: stopped by ${signal}\n`)
    process.exit(130)
  })
}

const launched = Date.now()
/** @param {string} line */
function log(line) {
  process.stdout.write(
    `${String(Math.round((Date.now() - launched) / 1000)).padStart(4)}s ${line}\n`,
  )
}

// --- the plan, and how long it will take --------------------------------------------------
const units = targets.flatMap((t) => TARGET_WORKLOADS[t].filter((w) => workloads.includes(w)))
const perUnit =
  warmup + concurrency.reduce((a, c) => a + (c === 1 ? durationC1 : duration), 0) + 0.2
const startUp = targets.reduce((a, t) => a + (t.startsWith('registrar') ? 3.5 : 0.7), 0)
const memoryEstimate = memoryWanted ? (memoryWarmup + memoryClients + memorySoak) / 700 + 5 : 0
const estimate =
  reps * (units.length * perUnit + startUp) +
  memoryEstimate +
  (profileSeconds > 0 ? profileSeconds + 5 : 0)
log(
  `bench: ${targets.join(', ')} × ${workloads.join(', ')} at ${concurrency.join(' and ')} in flight, ` +
    `${reps} repetition(s); ${tool.name} ${tool.version}; pinning ${pinning.enabled ? 'on' : 'off'}; ` +
    `about ${Math.ceil(estimate / 60)} min`,
)

const startedAt = new Date()
/** @type {import('./lib/report.mjs').Measurement[]} */
const measurements = []

try {
  for (let rep = 1; rep <= reps; rep++) {
    for (const name of targets) {
      const mine = TARGET_WORKLOADS[name].filter((w) => workloads.includes(w))
      if (mine.length === 0) continue
      const target = await startTarget(name, { pinning, workloads: mine, databaseUrl })
      try {
        for (const workload of mine) {
          const spec = await target.prepare(workload)
          if (warmup > 0) {
            await runLoad(tool, pinning, {
              origin: target.origin,
              spec,
              connections: Math.max(...concurrency),
              durationSeconds: warmup,
            })
          }
          for (const connections of concurrency) {
            const result = await runLoad(tool, pinning, {
              origin: target.origin,
              spec,
              connections,
              durationSeconds: connections === 1 ? durationC1 : duration,
            })
            /** @type {import('./lib/report.mjs').Measurement} */
            const m = {
              rep,
              target: name,
              workload,
              connections,
              throughput: throughput(result, spec),
              p50Ms: result.latencyUs.p50 / 1000,
              p99Ms: result.latencyUs.p99 / 1000,
              errors: errorCount(result, spec),
              statuses: result.statuses,
              ratio: null,
            }
            measurements.push(m)
            log(
              `[${rep}/${reps}] ${workload} ${name} c=${connections}: ${Math.round(m.throughput)}/s ` +
                `p50 ${m.p50Ms.toFixed(2)} ms p99 ${m.p99Ms.toFixed(2)} ms errors ${m.errors}`,
            )
          }
        }
      } catch (error) {
        process.stderr.write(`bench: ${name} failed; its stderr:\n${target.stderr()}\n`)
        throw error
      } finally {
        await target.stop()
      }
    }
  }
  addRatios(measurements)

  /** @type {import('./lib/memory.mjs').MemoryResult | null} */
  let memory = null
  if (memoryWanted) {
    memory = await measureMemory({
      pinning,
      warmup: memoryWarmup,
      measured: memoryClients,
      soak: memorySoak,
      log,
    })
    log(
      `memory: ${memory.heapPerClient.toFixed(1)} bytes of live heap per client; ` +
        `VmRSS spread ${memory.rssSpread === null ? '—' : `${(memory.rssSpread / 1048576).toFixed(1)} MiB`}`,
    )
  }

  /** @type {import('./lib/profile.mjs').ProfileResult | null} */
  let profile = null
  if (profileSeconds > 0) {
    profile = await profileRegistration({ pinning, tool, seconds: profileSeconds, top: 25, log })
  }

  const summary = summarise(measurements)
  const allErrors = measurements.reduce((a, m) => a + m.errors, 0) + (memory?.errors ?? 0)
  const judged = verdicts(summary, memory, allErrors, memorySoak)
  const seconds = (Date.now() - startedAt.getTime()) / 1000

  if (tool.name === 'autocannon') notes.push(tool.note)
  if (targets.includes('oidc-provider')) {
    notes.push(
      'oidc-provider keeps everything in its development in-memory adapter (an LRU of 1,000 entries): its W1 stores nothing durable, and it warns that Node.js 20 is not a supported runtime. It is a point of comparison, not a target.',
    )
  }
  if (targets.includes('registrar-postgres')) {
    notes.push(
      "PostgreSQL's own processes are not pinned: they run on whichever CPU is free, so they compete with the server or the load generator.",
    )
  }
  const argv = process.argv.slice(2)
  const report = renderReport({
    startedAt: startedAt.toISOString(),
    seconds,
    command: `npm run bench${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}${databaseUrl === undefined ? '' : ' (TEST_DATABASE_URL set)'}`,
    environment: await environment(),
    method:
      `${reps} interleaved repetition(s): each target started afresh, one at a time, per repetition; ` +
      `${warmup > 0 ? `${warmup} s unmeasured warm-up per workload, then ` : ''}` +
      concurrency.map((c) => `${c === 1 ? durationC1 : duration} s at ${c} in flight`).join(', ') +
      '; medians over repetitions; × B0 = throughput ÷ B0 for the same workload, concurrency and repetition; every status other than the expected one is an error',
    summary,
    measurements,
    verdicts: judged,
    memory,
    profile,
    notes,
  })
  mkdirSync(outDir, { recursive: true })
  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z')
  const file = join(outDir, `${stamp}.md`)
  writeFileSync(file, report)
  writeFileSync(
    join(outDir, `${stamp}.json`),
    `${JSON.stringify({ startedAt, seconds, measurements, summary, verdicts: judged, memory, profile }, null, 2)}\n`,
  )
  log(`\n${summaryTable(summary)}\n\n${verdictTable(judged)}\n`)
  log(`bench: wrote ${file} (${Math.round(seconds)} s)`)
} catch (error) {
  killAll()
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
}

/** Machine and versions, for the report's header. */
async function environment() {
  const cpuList = cpus()
  /** @param {string} path */
  const version = (path) => {
    try {
      return String(JSON.parse(readFileSync(join(ROOT, path), 'utf8')).version)
    } catch {
      return 'not installed'
    }
  }
  /** @param {string[]} args */
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
    } catch {
      return ''
    }
  }
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown'
  const dirty = git(['status', '--porcelain', '--', 'src']) !== ''
  const built = statSync(join(ROOT, 'dist/cli/run.js')).mtime.toISOString()
  /** @type {Record<string, string>} */
  const env = {
    Machine: `${cpuList[0]?.model ?? 'unknown CPU'}, ${cpuList.length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()}`,
    'Node.js': process.version,
    registrar: `${version('package.json')} at ${commit}${dirty ? ' (src/ has uncommitted changes)' : ''}, dist/ built ${built}`,
    'oidc-provider': version('node_modules/oidc-provider/package.json'),
    'Load generator': `${tool?.name} ${tool?.version}: ${tool?.note}`,
    Pinning: pinning.description,
  }
  if (databaseUrl !== undefined && targets?.includes('registrar-postgres')) {
    const where = new URL(databaseUrl)
    env.PostgreSQL = `${await postgresVersion(databaseUrl).catch(() => 'unknown')} at ${where.hostname}:${where.port || 5432}`
  }
  return env
}
