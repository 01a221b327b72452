import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt } from '../support/cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Measurement {
  readonly target: string
  readonly workload: string
  readonly connections: number
  readonly throughput: number
  readonly errors: number
  readonly statuses: Record<string, number>
}

interface Results {
  readonly measurements: readonly Measurement[]
  readonly memory: { readonly heapPerClient: number; readonly errors: number } | null
}

/** `npm run bench -- <args>`; resolves with the exit code and output. */
function bench(args: readonly string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The PostgreSQL target is not asked for; keep the bench from noting it either way.
      env: { ...process.env, TEST_DATABASE_URL: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

async function readResults(dir: string): Promise<{ report: string; results: Results }> {
  const files = await readdir(dir)
  const md = files.find((f) => f.endsWith('.md'))
  const json = files.find((f) => f.endsWith('.json'))
  if (md === undefined || json === undefined) throw new Error(`no report in ${files.join(', ')}`)
  return {
    report: await readFile(join(dir, md), 'utf8'),
    results: JSON.parse(await readFile(join(dir, json), 'utf8')) as Results,
  }
}

/**
 * The benchmark harness of issue #6 runs end to end: it starts its targets, prepares every
 * workload (a client_credentials client made with the CLI, an RFC 7592 registration, a signed-in
 * session with remembered consent for W5), drives them, reads memory through the heap probe and
 * writes its report. Nothing here is timed: numbers from a shared CI machine mean nothing.
 */
describe('npm run bench (smoke)', () => {
  let dir: string

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'registrar-bench-smoke-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('--quick on B0 and registrar-sqlite: every workload answered as expected, memory read, report written', async () => {
    const out = join(dir, 'quick')
    const run = await bench([
      '--quick',
      '--targets',
      'b0,registrar-sqlite',
      '--duration',
      '1',
      '--duration-c1',
      '1',
      '--memory-warmup',
      '100',
      '--memory-clients',
      '300',
      '--out',
      out,
    ])
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    const { report, results } = await readResults(out)

    for (const workload of ['W1', 'W2', 'W3', 'W4', 'W5']) {
      for (const connections of [32, 1]) {
        const m = results.measurements.find(
          (r) =>
            r.target === 'registrar-sqlite' &&
            r.workload === workload &&
            r.connections === connections,
        )
        expect(m, `${workload} at ${connections}`).toBeDefined()
        expect(m?.throughput, `${workload} at ${connections}`).toBeGreaterThan(0)
        expect(m?.errors, `${workload} at ${connections}: ${JSON.stringify(m?.statuses)}`).toBe(0)
      }
      expect(report).toMatch(
        new RegExp(`\\| ${workload} \\| registrar-sqlite \\| 32 \\| [\\d,.]+ \\|`),
      )
    }
    // B0 answers W1–W4 and is what the ratios divide by.
    expect(results.measurements.filter((m) => m.target === 'b0')).toHaveLength(8)
    expect(report).toMatch(/\| W1 \| registrar-sqlite \| 32 \| [\d,.]+ \| \d\.\d{3} \|/)
    expect(report).toContain('## Targets (issue #6)')
    expect(report).toMatch(/\| W1 registration throughput \(SQLite\) \| ≥ 0\.25 × B0 \|/)
    expect(results.memory?.errors).toBe(0)
    expect(Number.isFinite(results.memory?.heapPerClient)).toBe(true)
    expect(report).toContain('## Memory')
  }, 180_000)

  it('falls back to autocannon: the W5 round trip and W2 through it', async () => {
    const out = join(dir, 'autocannon')
    const run = await bench([
      '--quick',
      '--load',
      'autocannon',
      '--targets',
      'registrar-sqlite',
      '--workloads',
      'W2,W5',
      '--concurrency',
      '4',
      '--duration',
      '1',
      '--no-memory',
      '--out',
      out,
    ])
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    const { report, results } = await readResults(out)
    expect(report).toContain('| Load generator | autocannon')
    const w5 = results.measurements.find((m) => m.workload === 'W5')
    expect(w5?.throughput).toBeGreaterThan(0)
    expect(w5?.statuses).toMatchObject({ '200': expect.any(Number), '302': expect.any(Number) })
    expect(results.measurements.every((m) => m.errors === 0)).toBe(true)
  }, 120_000)
})
