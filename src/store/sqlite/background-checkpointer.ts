import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export interface BackgroundCheckpointerOptions {
  /** How soon after a commit the log is checkpointed (default 50 ms). */
  readonly intervalMs?: number
  /**
   * Log size, in frames (pages), past which the driver is asked for a quiet moment so that the
   * log can restart from its beginning (default 16,384: 64 MiB at 4 KiB pages).
   */
  readonly restartFrames?: number
}

interface CheckpointResult {
  /** Frames in the log, and how many of them are now in the database file. */
  readonly log: number
  readonly checkpointed: number
}

/** How long after a quiet checkpoint that could not restart the log the next one may run. */
const QUIET_RETRY_MS = 1000

type WorkerReply = { readonly ok: true; readonly result: CheckpointResult } | { readonly ok: false }

/**
 * Copies the write-ahead log back into the database file on a worker thread, with a connection
 * of its own, instead of inside a COMMIT on the event loop.
 *
 * Why: SQLite checkpoints automatically when a commit takes the log past 1,000 pages, in the
 * committing connection: copying the pages and syncing the log and the database stalled the
 * event loop about 8 ms each time, a dozen times a second under registration load (bench W1).
 * A PASSIVE checkpoint runs beside the writer without blocking it.
 *
 * The log only starts again from its beginning when a write transaction begins with the whole
 * log checkpointed. Under steady writes the checkpoint never catches up, so the log would grow
 * without bound; past `restartFrames` the driver holds new transactions back (asynchronously:
 * reads and the event loop go on), one checkpoint runs with nothing being written, and the next
 * transaction restarts the log. SQLite's own automatic checkpoint stays on at a higher threshold
 * as a backstop, and takes over entirely if the worker fails.
 */
export class BackgroundCheckpointer {
  readonly #worker: Worker
  readonly #intervalMs: number
  readonly #restartFrames: number
  #timer: NodeJS.Timeout | null = null
  #inFlight: ((reply: WorkerReply) => void) | null = null
  #lastLogFrames = 0
  /** performance.now() before which no quiet moment is asked for again. */
  #quietNotBefore = 0
  #failed = false
  #closed = false
  readonly #onFailure: () => void

  /** `onFailure`: the worker is gone; the caller turns SQLite's own checkpointing back on. */
  constructor(
    databasePath: string,
    onFailure: () => void,
    options: BackgroundCheckpointerOptions = {},
  ) {
    this.#intervalMs = options.intervalMs ?? 50
    this.#restartFrames = options.restartFrames ?? 16_384
    this.#onFailure = onFailure
    this.#worker = new Worker(`(${checkpointWorker.toString()})()`, {
      eval: true,
      workerData: {
        databasePath,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      },
    })
    // A checkpointer alone must not keep the process alive.
    this.#worker.unref()
    this.#worker.on('message', (reply: WorkerReply) => this.#settle(reply))
    this.#worker.on('error', () => this.#fail())
    this.#worker.on('exit', () => this.#fail())
  }

  /** SQLite's own automatic checkpoint threshold while this one works, in pages. */
  get backstopFrames(): number {
    return this.#restartFrames * 4
  }

  /** The log is long enough that the driver should give the checkpointer a quiet moment. */
  get wantsQuiet(): boolean {
    return (
      !this.#failed &&
      !this.#closed &&
      this.#lastLogFrames >= this.#restartFrames &&
      performance.now() >= this.#quietNotBefore
    )
  }

  /** Called after each COMMIT: a checkpoint follows within `intervalMs`. */
  noteCommit(): void {
    if (this.#timer !== null || this.#inFlight !== null || this.#failed || this.#closed) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.#checkpoint()
    }, this.#intervalMs)
    this.#timer.unref()
  }

  /**
   * Runs a checkpoint while the caller writes nothing, so that it copies the whole log and the
   * next transaction restarts it. Never rejects: on failure the backstop is already on.
   */
  async quietCheckpoint(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    // A checkpoint already running may have started before the last commit: run one more.
    if (this.#inFlight !== null) await this.#nextReply()
    const result = await this.#checkpoint()
    // All copied with nothing written since: the next transaction starts the log afresh.
    if (result !== null && result.checkpointed >= result.log) {
      this.#lastLogFrames = 0
    } else {
      // Another connection's read transaction (an operator's sqlite3 shell, say) still needs
      // the old frames, so the log cannot restart yet: asking again at once would hold every
      // write back, over and over. Once a second at most, until that reader is gone.
      this.#quietNotBefore = performance.now() + QUIET_RETRY_MS
    }
  }

  /** Stops the worker; its connection closes with it. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    if (this.#inFlight !== null) await this.#nextReply()
    if (!this.#failed) await this.#worker.terminate()
  }

  async #checkpoint(): Promise<CheckpointResult | null> {
    if (this.#failed || this.#closed) return null
    const reply = this.#nextReply()
    this.#worker.postMessage('checkpoint')
    const answer = await reply
    if (!answer.ok) return null
    this.#lastLogFrames = answer.result.log
    return answer.result
  }

  #nextReply(): Promise<WorkerReply> {
    return new Promise((resolve) => {
      const previous = this.#inFlight
      this.#inFlight = (reply) => {
        previous?.(reply)
        resolve(reply)
      }
    })
  }

  #settle(reply: WorkerReply): void {
    const waiting = this.#inFlight
    this.#inFlight = null
    if (!reply.ok) this.#fail()
    waiting?.(reply)
  }

  #fail(): void {
    if (this.#failed) return
    this.#failed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#settle({ ok: false })
    if (!this.#closed) this.#onFailure()
  }
}

/**
 * The worker's whole program, run from its source text (so that it needs no file of its own
 * next to the compiled module, nor under the test runner). It may use nothing from outside.
 */
function checkpointWorker(): void {
  const { parentPort, workerData } = require('node:worker_threads')
  // Lowest scheduling priority for this thread alone (Linux applies setpriority to the calling
  // thread): copying pages must not take the CPU from the event loop when both share one core.
  try {
    require('node:os').setPriority(19)
  } catch {
    // Not permitted, or not supported on this platform: checkpoints run at normal priority.
  }
  const Database = require(workerData.driver)
  const db = new Database(workerData.databasePath)
  // A checkpoint syncs the log before copying and the database after; FULL says so explicitly.
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 1000')
  parentPort.on('message', () => {
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)')
      parentPort.postMessage({ ok: true, result: { log: row.log, checkpointed: row.checkpointed } })
    } catch {
      parentPort.postMessage({ ok: false })
    }
  })
}
