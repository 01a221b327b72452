// Child processes for the bench: CPU pinning with taskset, servers that print `listening on <url>`,
// one-shot commands, and cleanup of whatever is still running when the bench stops.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** The CPU the servers run on and the CPU the load generator (and this process) run on. */
export const SERVER_CPU = 0
export const LOAD_CPU = 1
/** Both: for a server whose speed is not what is measured (the memory soak). */
export const ALL_CPUS = `${SERVER_CPU},${LOAD_CPU}`

/**
 * @typedef {object} Pinning
 * @property {boolean} enabled
 * @property {string} description what the report says about it
 */

/**
 * Pins this process (and so every child it starts, unless told otherwise) to LOAD_CPU, so that
 * servers can be started on SERVER_CPU. Falls back to no pinning, saying why.
 * @param {boolean} wanted
 * @returns {Pinning}
 */
export function setUpPinning(wanted) {
  if (!wanted) return { enabled: false, description: 'off (--no-pin)' }
  if (process.platform !== 'linux') {
    return { enabled: false, description: `none: taskset is Linux-only (${process.platform})` }
  }
  const probe = spawnSync('taskset', ['-c', String(SERVER_CPU), 'true'], { stdio: 'ignore' })
  if (probe.error !== undefined || probe.status !== 0) {
    return {
      enabled: false,
      description: 'none: taskset is missing or cannot pin (apt-get install util-linux)',
    }
  }
  const self = spawnSync('taskset', ['-p', '-c', String(LOAD_CPU), String(process.pid)], {
    encoding: 'utf8',
  })
  if (self.status !== 0) {
    return {
      enabled: false,
      description: `none: cannot pin to CPU ${LOAD_CPU} (${(self.stderr || '').trim() || `exit ${self.status}`})`,
    }
  }
  return {
    enabled: true,
    description: `taskset: servers on CPU ${SERVER_CPU}, load generator on CPU ${LOAD_CPU}`,
  }
}

/**
 * The command line that runs `argv` on `cpu` (a CPU number or a taskset list such as "0,1") when
 * pinning is on.
 * @param {Pinning} pinning
 * @param {number | string} cpu
 * @param {readonly string[]} argv
 * @returns {[string, string[]]}
 */
export function pinned(pinning, cpu, argv) {
  const [command, ...args] = argv
  if (command === undefined) throw new Error('empty command')
  // taskset execs the command, so the child's pid is the command's own (for /proc and signals).
  return pinning.enabled ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args]
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set()

/** Kills every child still running (on exit, or when the bench is interrupted). */
export function killAll() {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  running.clear()
}

/**
 * @typedef {object} Server
 * @property {string} url the origin it listens on
 * @property {number} pid
 * @property {() => string} stderr what it wrote to stderr so far (the last 64 KiB)
 * @property {(timeoutMs?: number) => Promise<number | null>} stop SIGTERM, then SIGKILL after the timeout
 */

/**
 * Starts a server and resolves once it prints `listening on <url>` on stdout.
 * @param {[string, string[]]} command
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number, label: string }} options
 * @returns {Promise<Server>}
 */
export function startServer([command, args], options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    })
    running.add(child)
    let stdout = ''
    let stderr = ''
    let settled = false
    /** @type {Promise<number | null>} */
    const exited = new Promise((done) => {
      child.on('close', (code, signal) => {
        running.delete(child)
        done(code ?? (signal === null ? null : 128))
      })
    })
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      child.kill('SIGKILL')
      reject(
        new Error(
          `${options.label} did not print "listening on" within ${options.timeoutMs ?? 30_000} ms:\n${stderr}`,
        ),
      )
    }, options.timeoutMs ?? 30_000)
    child.on('error', (error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`${options.label} could not start: ${error.message}`))
    })
    child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
      stderr = (stderr + chunk.toString()).slice(-65_536)
    })
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      stdout += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stdout)
      if (match?.[1] === undefined || settled) return
      settled = true
      clearTimeout(timer)
      const pid = child.pid
      if (pid === undefined) throw new Error('no pid')
      resolve({
        url: match[1].replace(/\/$/, ''),
        pid,
        stderr: () => stderr,
        async stop(timeoutMs = 20_000) {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
          const code = await exited
          clearTimeout(kill)
          return code
        },
      })
    })
    void exited.then((code) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`${options.label} exited with ${code} before listening:\n${stderr}`))
    })
  })
}

/**
 * Runs a command to completion and returns its output.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ input?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    })
    running.add(child)
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
      stderr += chunk.toString()
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      running.delete(child)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      running.delete(child)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * VmRSS of a process in bytes, from /proc/<pid>/status; null where /proc is not there.
 * @param {number} pid
 * @returns {number | null}
 */
export function vmRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return match?.[1] === undefined ? null : Number(match[1]) * 1024
  } catch {
    return null
  }
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
