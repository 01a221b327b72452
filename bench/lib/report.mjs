// Medians, ratios to B0, the targets of issue #6, and the markdown report.
import { TARGET_NAMES, WORKLOAD_TITLES, WORKLOADS } from './targets.mjs'

/**
 * One measured run.
 * @typedef {object} Measurement
 * @property {number} rep 1-based repetition
 * @property {import('./targets.mjs').TargetName} target
 * @property {import('./targets.mjs').Workload} workload
 * @property {number} connections
 * @property {number} throughput requests per second (W5: round trips per second)
 * @property {number} p50Ms
 * @property {number} p99Ms
 * @property {number} errors non-expected statuses and socket errors
 * @property {Record<string, number>} statuses
 * @property {number | null} ratio throughput ÷ B0's for the same workload, connections and rep
 */

/**
 * A row of the summary: the medians over the repetitions of one target, workload, concurrency.
 * @typedef {object} Summary
 * @property {import('./targets.mjs').TargetName} target
 * @property {import('./targets.mjs').Workload} workload
 * @property {number} connections
 * @property {number} reps
 * @property {number} throughput
 * @property {number | null} ratio
 * @property {number} p50Ms
 * @property {number} p99Ms
 * @property {number} errors summed over the repetitions
 */

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/**
 * Fills in each measurement's ratio to B0 (same workload, concurrency and repetition).
 * @param {Measurement[]} measurements
 */
export function addRatios(measurements) {
  for (const m of measurements) {
    const base = measurements.find(
      (b) =>
        b.target === 'b0' &&
        b.workload === m.workload &&
        b.connections === m.connections &&
        b.rep === m.rep,
    )
    m.ratio = base === undefined || base.throughput === 0 ? null : m.throughput / base.throughput
  }
}

/**
 * @param {Measurement[]} measurements
 * @returns {Summary[]}
 */
export function summarise(measurements) {
  /** @type {Summary[]} */
  const rows = []
  const connectionsSeen = [...new Set(measurements.map((m) => m.connections))]
  for (const workload of WORKLOADS) {
    for (const connections of connectionsSeen) {
      for (const target of TARGET_NAMES) {
        const runs = measurements.filter(
          (m) => m.target === target && m.workload === workload && m.connections === connections,
        )
        if (runs.length === 0) continue
        const ratios = runs.flatMap((m) => (m.ratio === null ? [] : [m.ratio]))
        rows.push({
          target,
          workload,
          connections,
          reps: runs.length,
          throughput: median(runs.map((m) => m.throughput)),
          ratio: ratios.length === 0 ? null : median(ratios),
          p50Ms: median(runs.map((m) => m.p50Ms)),
          p99Ms: median(runs.map((m) => m.p99Ms)),
          errors: runs.reduce((a, m) => a + m.errors, 0),
        })
      }
    }
  }
  return rows
}

/**
 * @typedef {object} Verdict
 * @property {string} name
 * @property {string} threshold
 * @property {string} measured
 * @property {'pass' | 'FAIL' | 'not measured'} result
 */

/**
 * The targets of issue #6, judged at 32 requests in flight on registrar's shipped default
 * (SQLite), and W1 on PostgreSQL.
 * @param {Summary[]} summary
 * @param {import('./memory.mjs').MemoryResult | null} memory
 * @param {number} allErrors
 * @param {number} soakPlanned registrations the VmRSS target is about
 * @returns {Verdict[]}
 */
export function verdicts(summary, memory, allErrors, soakPlanned) {
  /** @param {import('./targets.mjs').TargetName} target @param {import('./targets.mjs').Workload} workload */
  const row = (target, workload) =>
    summary.find((r) => r.target === target && r.workload === workload && r.connections === 32)
  /**
   * @param {string} name
   * @param {import('./targets.mjs').TargetName} target
   * @param {import('./targets.mjs').Workload} workload
   * @param {number} min
   * @returns {Verdict}
   */
  const ratio = (name, target, workload, min) => {
    const r = row(target, workload)?.ratio
    return {
      name,
      threshold: `≥ ${min.toFixed(2)} × B0`,
      measured: r === undefined || r === null ? '—' : `${r.toFixed(3)} × B0`,
      result: r === undefined || r === null ? 'not measured' : r >= min ? 'pass' : 'FAIL',
    }
  }
  const w1 = row('registrar-sqlite', 'W1')
  const mib = 1024 * 1024
  return [
    ratio('W1 registration throughput (SQLite)', 'registrar-sqlite', 'W1', 0.25),
    ratio('W2 client_credentials throughput (SQLite)', 'registrar-sqlite', 'W2', 0.3),
    ratio('W3 RFC 7592 read throughput (SQLite)', 'registrar-sqlite', 'W3', 0.4),
    ratio('W4 discovery throughput (SQLite)', 'registrar-sqlite', 'W4', 0.7),
    {
      name: 'W1 p99 latency at 32 in flight (SQLite)',
      threshold: '≤ 10 ms',
      measured: w1 === undefined ? '—' : `${w1.p99Ms.toFixed(1)} ms`,
      result: w1 === undefined ? 'not measured' : w1.p99Ms <= 10 ? 'pass' : 'FAIL',
    },
    {
      name: `Live heap per registered client${memory === null ? '' : ` (${memory.measured.toLocaleString('en-US')} registrations)`}`,
      threshold: '< 50 bytes',
      measured: memory === null ? '—' : `${memory.heapPerClient.toFixed(1)} bytes`,
      result: memory === null ? 'not measured' : memory.heapPerClient < 50 ? 'pass' : 'FAIL',
    },
    {
      name:
        soakPlanned > 0
          ? `VmRSS over ${soakPlanned.toLocaleString('en-US')} registrations (max − min)`
          : 'VmRSS over 100,000 registrations (soak skipped)',
      threshold: 'flat within 20 MiB',
      measured:
        memory?.rssSpread === null || memory?.rssSpread === undefined
          ? '—'
          : `${(memory.rssSpread / mib).toFixed(1)} MiB (slope ${((memory.rssSlopePer100k ?? 0) / mib).toFixed(1)} MiB / 100k)`,
      result:
        memory?.rssSpread === null || memory?.rssSpread === undefined
          ? 'not measured'
          : memory.rssSpread <= 20 * mib
            ? 'pass'
            : 'FAIL',
    },
    {
      name: 'Errors (non-2xx, socket errors) in every run',
      threshold: '0',
      measured: String(allErrors),
      result: allErrors === 0 ? 'pass' : 'FAIL',
    },
    ratio('W1 registration throughput (PostgreSQL)', 'registrar-postgres', 'W1', 0.12),
  ]
}

/** @param {number} n */
function fmtRate(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)
}

/** @param {number} ms */
function fmtMs(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)
}

/** @param {number | null} bytes */
function fmtMiB(bytes) {
  return bytes === null ? '—' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/**
 * @typedef {object} ReportInput
 * @property {string} startedAt ISO time
 * @property {number} seconds
 * @property {string} command
 * @property {Record<string, string>} environment label → value
 * @property {string} method
 * @property {Summary[]} summary
 * @property {Measurement[]} measurements
 * @property {Verdict[]} verdicts
 * @property {import('./memory.mjs').MemoryResult | null} memory
 * @property {import('./profile.mjs').ProfileResult | null} profile
 * @property {string[]} notes
 */

/** The summary table alone (also printed on the console). @param {Summary[]} summary */
export function summaryTable(summary) {
  const lines = [
    '| Workload | Target | In flight | req/s (median) | × B0 | p50 ms | p99 ms | Errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const r of summary) {
    lines.push(
      `| ${r.workload} | ${r.target} | ${r.connections} | ${fmtRate(r.throughput)} | ${r.ratio === null ? '—' : r.ratio.toFixed(3)} | ${fmtMs(r.p50Ms)} | ${fmtMs(r.p99Ms)} | ${r.errors} |`,
    )
  }
  return lines.join('\n')
}

/** @param {Verdict[]} list */
export function verdictTable(list) {
  const lines = ['| Target | Threshold | Measured | Result |', '| --- | --- | --- | --- |']
  for (const v of list) {
    lines.push(
      `| ${v.name} | ${v.threshold} | ${v.measured} | ${v.result === 'FAIL' ? '**FAIL**' : v.result} |`,
    )
  }
  return lines.join('\n')
}

/** @param {ReportInput} input */
export function renderReport(input) {
  const out = []
  out.push(`# registrar benchmark, ${input.startedAt}`, '')
  out.push('| | |', '| --- | --- |')
  out.push(`| Command | \`${input.command}\` |`)
  for (const [label, value] of Object.entries(input.environment))
    out.push(`| ${label} | ${value} |`)
  out.push(`| Method | ${input.method} |`)
  out.push(`| Wall time | ${Math.round(input.seconds)} s |`, '')
  out.push('Workloads:', '')
  for (const [w, title] of Object.entries(WORKLOAD_TITLES)) out.push(`- ${w}: ${title}`)
  out.push(
    '',
    'W5 counts one authorize + token round trip as one operation; its latencies mix both requests.',
    '',
  )

  out.push('## Throughput and latency', '', summaryTable(input.summary), '')
  out.push('## Targets (issue #6)', '')
  out.push(
    'Ratios and latency at 32 requests in flight, on registrar as shipped (SQLite) unless the target names PostgreSQL.',
    '',
    verdictTable(input.verdicts),
    '',
  )

  if (input.memory !== null) {
    const m = input.memory
    out.push('## Memory (registrar on SQLite, W1 registrations)', '')
    out.push(
      'Live heap: `heapUsed` after forced full GCs (`--expose-gc`, `bench/heap-probe.mjs` on SIGUSR2). VmRSS: `/proc/<pid>/status`.',
      '',
    )
    out.push(
      '| Reading | Registrations so far | Live heap | VmRSS |',
      '| --- | ---: | ---: | ---: |',
    )
    out.push(
      `| after warm-up | ${m.warmup.toLocaleString('en-US')} | ${fmtMiB(m.before.heapUsed)} | ${fmtMiB(m.before.rss)} |`,
    )
    out.push(
      `| after ${m.measured.toLocaleString('en-US')} more | ${(m.warmup + m.measured).toLocaleString('en-US')} | ${fmtMiB(m.after.heapUsed)} | ${fmtMiB(m.after.rss)} |`,
    )
    if (m.afterSoak !== null) {
      out.push(
        `| after the ${m.soak.toLocaleString('en-US')} soak | ${(m.warmup + m.measured + m.soak).toLocaleString('en-US')} | ${fmtMiB(m.afterSoak.heapUsed)} | ${fmtMiB(m.afterSoak.rss)} |`,
      )
    }
    out.push('')
    out.push(
      `Live heap per client: ${m.heapPerClient.toFixed(1)} bytes over ${m.measured.toLocaleString('en-US')} registrations` +
        (m.soakHeapPerClient === null
          ? '.'
          : `; ${m.soakHeapPerClient.toFixed(1)} bytes over the ${m.soak.toLocaleString('en-US')} soak.`),
    )
    if (m.rssSamples.length > 0) {
      out.push(
        '',
        `VmRSS after each tenth of the soak (MiB): ${m.rssSamples.map((s) => (s.rss === null ? '—' : (s.rss / 1024 / 1024).toFixed(1))).join(', ')}; ` +
          `max − min ${fmtMiB(m.rssSpread)}, least-squares slope ${fmtMiB(m.rssSlopePer100k)} per 100,000.`,
        '',
        `Registrations per second in each tenth (server on both CPUs, not a throughput figure): ${m.rssSamples.map((s) => Math.round(s.perSecond)).join(', ')}.`,
      )
    }
    out.push(
      '',
      `${m.errors} registrations not answered 201; ${Math.round(m.seconds)} s in all.`,
      '',
    )
  }

  if (input.profile !== null) {
    const p = input.profile
    out.push('## Where the time goes (registrar on SQLite, W1 at 32 in flight, `--cpu-prof`)', '')
    out.push(
      `${p.seconds.toFixed(1)} s profiled, ${(p.busyMs / 1000).toFixed(1)} s of it busy (not idle), ${p.requests.toLocaleString('en-US')} registrations: ` +
        `${p.requests === 0 ? '—' : ((p.busyMs / p.requests) * 1000).toFixed(0)} µs of main-thread time each. Shares are of the busy time. ` +
        'Functions in src/ are named by the compiled line in dist/ (js:N).',
      '',
    )
    out.push('Self time by function:', '')
    out.push('| # | Function | Where | Self ms | Share |', '| ---: | --- | --- | ---: | ---: |')
    p.self.forEach((s, i) => {
      out.push(
        `| ${i + 1} | \`${s.functionName}\` | ${s.location} | ${s.ms.toFixed(0)} | ${(s.share * 100).toFixed(1)}% |`,
      )
    })
    out.push('', 'Self time by package or file:', '')
    out.push('| Area | Self ms | Share |', '| --- | ---: | ---: |')
    for (const a of p.areas) {
      out.push(`| ${a.area} | ${a.ms.toFixed(0)} | ${(a.share * 100).toFixed(1)}% |`)
    }
    out.push('', "Time under registrar's own functions (inclusive of callees):", '')
    out.push('| Function | Where | Total ms | Share |', '| --- | --- | ---: | ---: |')
    for (const s of p.inclusive) {
      out.push(
        `| \`${s.functionName}\` | ${s.location} | ${s.ms.toFixed(0)} | ${(s.share * 100).toFixed(1)}% |`,
      )
    }
    out.push('')
  }

  if (input.notes.length > 0) {
    out.push('## Notes', '')
    for (const note of input.notes) out.push(`- ${note}`)
    out.push('')
  }

  out.push('## Every run', '')
  out.push(
    '| Rep | Workload | Target | In flight | req/s | × B0 | p50 ms | p99 ms | Errors | Statuses |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  )
  for (const m of input.measurements) {
    const statuses = Object.entries(m.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')
    out.push(
      `| ${m.rep} | ${m.workload} | ${m.target} | ${m.connections} | ${fmtRate(m.throughput)} | ${m.ratio === null ? '—' : m.ratio.toFixed(3)} | ${fmtMs(m.p50Ms)} | ${fmtMs(m.p99Ms)} | ${m.errors} | ${statuses} |`,
    )
  }
  out.push('')
  return out.join('\n')
}
