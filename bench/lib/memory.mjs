// Memory of registrar on SQLite under registrations: the live heap after a forced GC (through
// bench/heap-probe.mjs, preloaded with --expose-gc) and VmRSS from /proc, after a warm-up, after
// N more registrations, and along a long soak for the VmRSS slope.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { ALL_CPUS, sleep, vmRss } from './proc.mjs'
import { HEAP_PROBE, startTarget, W1_BODY } from './targets.mjs'

/**
 * @typedef {object} MemoryResult
 * @property {number} warmup registrations before the first reading
 * @property {number} measured registrations between the two readings
 * @property {number} soak registrations along which VmRSS was sampled (0: skipped)
 * @property {{ heapUsed: number, rss: number | null }} before after the warm-up
 * @property {{ heapUsed: number, rss: number | null }} after after `measured` more
 * @property {number} heapPerClient live heap bytes per registered client
 * @property {{ registrations: number, rss: number | null, perSecond: number }[]} rssSamples after each
 *   tenth of the soak, with the registrations per second of that tenth (the table grows)
 * @property {{ heapUsed: number, rss: number | null } | null} afterSoak
 * @property {number | null} soakHeapPerClient live heap bytes per client over the soak
 * @property {number | null} rssSpread max − min VmRSS along the soak
 * @property {number | null} rssSlopePer100k least-squares VmRSS growth per 100,000 registrations
 * @property {number} errors registrations not answered 201
 * @property {number} seconds
 */

/**
 * @param {{ pinning: import('./proc.mjs').Pinning, warmup: number, measured: number, soak: number, log: (line: string) => void }} options
 * @returns {Promise<MemoryResult>}
 */
export async function measureMemory({ pinning, warmup, measured, soak, log }) {
  const started = Date.now()
  const heapFile = join(
    process.env.TMPDIR ?? '/tmp',
    `registrar-bench-heap-${process.pid}-${Date.now()}.json`,
  )
  // Not a speed measurement: the server may use both CPUs, so the soak takes half as long.
  const target = await startTarget('registrar-sqlite', {
    pinning,
    cpu: ALL_CPUS,
    workloads: ['W1'],
    databaseUrl: undefined,
    nodeFlags: ['--expose-gc', '--import', HEAP_PROBE],
    env: { BENCH_HEAP_FILE: heapFile },
  })
  const origin = target.origin
  let errors = 0
  const agent = new Agent({ keepAlive: true, maxSockets: 32 })
  /** @param {number} count */
  const registerMany = async (count) => {
    errors += await drive(origin, agent, count, 32)
  }
  const reading = async () => {
    // Let the last answers' tails (socket writes, timers) finish before collecting.
    await sleep(250)
    const usage = await probeHeap(target.pid, heapFile)
    return { heapUsed: usage.heapUsed, rss: vmRss(target.pid) }
  }
  try {
    log(`memory: ${warmup} warm-up registrations`)
    await registerMany(warmup)
    const before = await reading()
    log(`memory: ${measured} registrations`)
    await registerMany(measured)
    const after = await reading()
    /** @type {{ registrations: number, rss: number | null, perSecond: number }[]} */
    const rssSamples = []
    /** @type {{ heapUsed: number, rss: number | null } | null} */
    let afterSoak = null
    if (soak > 0) {
      log(`memory: ${soak} registrations, sampling VmRSS`)
      // No sample at 0: the reading above has just forced a GC and shrunk the heap, which the
      // load then grows back; every sample is taken under the same conditions, after a batch.
      const step = Math.max(1, Math.round(soak / 10))
      for (let done = 0; done < soak; ) {
        const batch = Math.min(step, soak - done)
        const batchStarted = Date.now()
        await registerMany(batch)
        done += batch
        const perSecond = batch / Math.max(0.001, (Date.now() - batchStarted) / 1000)
        rssSamples.push({ registrations: done, rss: vmRss(target.pid), perSecond })
      }
      afterSoak = await reading()
    }
    const rssValues = rssSamples.flatMap((s) => (s.rss === null ? [] : [s.rss]))
    return {
      warmup,
      measured,
      soak,
      before,
      after,
      heapPerClient: (after.heapUsed - before.heapUsed) / measured,
      rssSamples,
      afterSoak,
      soakHeapPerClient: afterSoak === null ? null : (afterSoak.heapUsed - after.heapUsed) / soak,
      rssSpread: rssValues.length < 2 ? null : Math.max(...rssValues) - Math.min(...rssValues),
      rssSlopePer100k: slopePer100k(rssSamples),
      errors,
      seconds: (Date.now() - started) / 1000,
    }
  } finally {
    agent.destroy()
    await target.stop()
    rmSync(heapFile, { force: true })
  }
}

/**
 * Asks the heap probe in `pid` for a reading and waits for it.
 * @param {number} pid
 * @param {string} file
 * @returns {Promise<NodeJS.MemoryUsage & { gcForced: boolean }>}
 */
async function probeHeap(pid, file) {
  rmSync(file, { force: true })
  process.kill(pid, 'SIGUSR2')
  for (let waited = 0; waited < 15_000; waited += 20) {
    if (existsSync(file)) {
      const usage = JSON.parse(readFileSync(file, 'utf8'))
      if (!usage.gcForced) throw new Error('the heap probe could not force a GC (--expose-gc?)')
      return usage
    }
    await sleep(20)
  }
  throw new Error('the heap probe did not answer within 15 s (was it preloaded?)')
}

/**
 * Least-squares slope of VmRSS against registrations, scaled to 100,000 registrations.
 * @param {{ registrations: number, rss: number | null }[]} samples
 */
function slopePer100k(samples) {
  const points = samples.flatMap((s) => (s.rss === null ? [] : [[s.registrations, s.rss]]))
  if (points.length < 2) return null
  const n = points.length
  const mx = points.reduce((a, [x = 0]) => a + x, 0) / n
  const my = points.reduce((a, [, y = 0]) => a + y, 0) / n
  let sxy = 0
  let sxx = 0
  for (const [x = 0, y = 0] of points) {
    sxy += (x - mx) * (y - my)
    sxx += (x - mx) ** 2
  }
  return sxx === 0 ? null : (sxy / sxx) * 100_000
}

/**
 * Sends `count` W1 registrations with `concurrency` in flight; returns how many were not 201.
 * @param {string} origin
 * @param {Agent} agent
 * @param {number} count
 * @param {number} concurrency
 */
export async function drive(origin, agent, count, concurrency) {
  const url = new URL('/register', origin)
  const body = Buffer.from(W1_BODY)
  let next = 0
  let failed = 0
  const one = () =>
    new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
        },
        (res) => {
          if (res.statusCode !== 201) failed++
          res.resume()
          res.on('end', resolve)
          res.on('error', () => {
            failed++
            resolve(undefined)
          })
        },
      )
      req.on('error', () => {
        failed++
        resolve(undefined)
      })
      req.end(body)
    })
  const worker = async () => {
    while (next < count) {
      next++
      await one()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return failed
}
