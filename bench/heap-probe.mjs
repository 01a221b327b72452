// Preloaded into the server under test: `node --expose-gc --import ./bench/heap-probe.mjs
// bin/registrar.js serve …`. On SIGUSR2 it forces full garbage collections and writes
// process.memoryUsage() as JSON to $BENCH_HEAP_FILE (written aside, then renamed, so the reader
// never sees half a file). Nothing under src/ knows about it.
import { renameSync, writeFileSync } from 'node:fs'

const file = process.env.BENCH_HEAP_FILE
/** @type {(() => void) | undefined} */
const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc

if (file !== undefined && file !== '') {
  process.on('SIGUSR2', () => {
    void (async () => {
      // At least four rounds, letting finalizers and weak callbacks run between them, then more
      // until the heap stops shrinking (at most ten).
      let previous = Number.POSITIVE_INFINITY
      for (let round = 0; round < 10 && gc !== undefined; round++) {
        gc()
        await new Promise((resolve) => setImmediate(resolve))
        const used = process.memoryUsage().heapUsed
        if (round >= 3 && used >= previous) break
        previous = Math.min(previous, used)
      }
      const usage = process.memoryUsage()
      writeFileSync(`${file}.tmp`, JSON.stringify({ ...usage, gcForced: gc !== undefined }))
      renameSync(`${file}.tmp`, file)
    })()
  })
}
