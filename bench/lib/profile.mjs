// A CPU profile of registrar on SQLite under W1: `node --cpu-prof` on the server process (from
// outside src/), load from the usual generator, then self time by function and file, and time
// under each of registrar's own functions (inclusive), from the .cpuprofile.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runLoad } from './load.mjs'
import { startTarget } from './targets.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * @typedef {object} HotSpot
 * @property {string} functionName
 * @property {string} location file:line, relative to the repository (dist/ mapped to src/)
 * @property {number} ms
 * @property {number} share of all sampled time, idle excluded
 */

/**
 * @typedef {object} ProfileResult
 * @property {number} seconds length of the profile
 * @property {number} busyMs sampled time not idle
 * @property {number} requests W1 registrations answered during the profile
 * @property {HotSpot[]} self by function (self time)
 * @property {{ area: string, ms: number, share: number }[]} areas self time by package or file
 * @property {HotSpot[]} inclusive registrar's own functions, time including their callees
 */

/**
 * @param {{ pinning: import('./proc.mjs').Pinning, tool: import('./load.mjs').LoadTool, seconds: number, top: number, log: (line: string) => void }} options
 * @returns {Promise<ProfileResult>}
 */
export async function profileRegistration({ pinning, tool, seconds, top, log }) {
  const dir = await mkdtemp(join(tmpdir(), 'registrar-bench-prof-'))
  try {
    const target = await startTarget('registrar-sqlite', {
      pinning,
      workloads: ['W1'],
      databaseUrl: undefined,
      nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'registrar.cpuprofile'],
    })
    let requests = 0
    try {
      log(`profile: W1 for ${seconds} s under --cpu-prof`)
      const spec = await target.prepare('W1')
      const result = await runLoad(tool, pinning, {
        origin: target.origin,
        spec,
        connections: 32,
        durationSeconds: seconds,
      })
      requests = result.statuses['201'] ?? 0
    } finally {
      // The profile is written when the process exits, after SIGTERM's graceful shutdown.
      await target.stop()
    }
    const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))
    if (files[0] === undefined) throw new Error('registrar exited without writing a CPU profile')
    const profile = JSON.parse(await readFile(join(dir, files[0]), 'utf8'))
    return { ...analyse(profile, top), requests }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * @typedef {{ functionName: string, url: string, lineNumber: number, columnNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} CpuProfile
 */

/**
 * @param {CpuProfile} profile
 * @param {number} top
 * @returns {Omit<ProfileResult, 'requests'>}
 */
export function analyse(profile, top) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  /** @type {Map<number, number>} */
  const parent = new Map()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id)

  // Sample i lasted until sample i + 1 (timeDeltas[i + 1] µs); the last one gets the mean.
  const { samples, timeDeltas } = profile
  const mean = (profile.endTime - profile.startTime) / Math.max(1, samples.length)
  /** @type {Map<number, number>} */
  const selfUs = new Map()
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? 0
    selfUs.set(id, (selfUs.get(id) ?? 0) + (timeDeltas[i + 1] ?? mean))
  }

  /** @type {Map<string, HotSpot>} */
  const byFunction = new Map()
  /** @type {Map<string, number>} */
  const byArea = new Map()
  /** @type {Map<string, HotSpot>} */
  const inclusive = new Map()
  let busyUs = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (node === undefined) continue
    const frame = node.callFrame
    if (frame.functionName === '(idle)') continue
    busyUs += us
    // A native function (a binding such as better-sqlite3's, a V8 builtin) has no file: name
    // its caller instead, which tells `run` of a statement from `run` of something else.
    const caller = frame.url === '' ? byId.get(parent.get(id) ?? -1)?.callFrame : undefined
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${caller?.url ?? ''}\u0000${caller?.lineNumber ?? ''}`
    const spot = byFunction.get(key) ?? {
      functionName: frame.functionName || '(anonymous)',
      location:
        caller === undefined || caller.url === ''
          ? locate(frame)
          : `(native) ← ${caller.functionName || '(anonymous)'} ${locate(caller)}`,
      ms: 0,
      share: 0,
    }
    spot.ms += us / 1000
    byFunction.set(key, spot)
    const area = areaOf(frame)
    byArea.set(area, (byArea.get(area) ?? 0) + us)

    // Inclusive: every registrar function on this sample's stack, each counted once.
    /** @type {Set<string>} */
    const seen = new Set()
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame
      if (f === undefined || !isRegistrar(f.url)) continue
      const k = `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`
      if (seen.has(k)) continue
      seen.add(k)
      const entry = inclusive.get(k) ?? {
        functionName: f.functionName || '(anonymous)',
        location: locate(f),
        ms: 0,
        share: 0,
      }
      entry.ms += us / 1000
      inclusive.set(k, entry)
    }
  }
  /** @param {HotSpot[]} list */
  const ranked = (list) =>
    list
      .map((s) => ({ ...s, share: s.ms / (busyUs / 1000) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
  return {
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busyMs: busyUs / 1000,
    self: ranked([...byFunction.values()]),
    areas: [...byArea]
      .map(([area, us]) => ({ area, ms: us / 1000, share: us / busyUs }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    inclusive: ranked([...inclusive.values()]),
  }
}

/** @param {string} url */
function isRegistrar(url) {
  return url.includes('/dist/') && !url.includes('/node_modules/')
}

/** @param {string} url */
function pathOf(url) {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path
  // registrar runs from dist/; name the source file the next session will edit.
  return rel.replace(/^dist\/(.*)\.js$/, 'src/$1.ts')
}

/** @param {CallFrame} frame */
function locate(frame) {
  if (frame.url === '') return '(native)'
  // lineNumber is 0-based and refers to dist/*.js.
  const path = pathOf(frame.url)
  return `${path}${path.startsWith('src/') ? ` (js:${frame.lineNumber + 1})` : `:${frame.lineNumber + 1}`}`
}

/**
 * Where self time goes, coarsely: a package of node_modules, one of registrar's files, Node's
 * internals, or V8's own entries ((garbage collector), (program)).
 * @param {CallFrame} frame
 */
function areaOf(frame) {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  const path = pathOf(frame.url)
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (pkg?.[1] !== undefined) return pkg[1]
  if (path.startsWith('node:')) return 'node: internals'
  return path
}
