import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'

interface Waiter {
  readonly seq: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Makes committed SQLite transactions durable off the event loop: an fdatasync of the
 * write-ahead log on libuv's thread pool, shared by every commit made before it started.
 *
 * The connection runs with `synchronous=NORMAL`, so COMMIT appends its frames to the WAL with
 * write() and returns; this class then syncs the log before any write is acknowledged. After
 * the sync, every frame up to the last commit is on stable storage, and SQLite's WAL recovery
 * replays exactly those commits: the same guarantee as `synchronous=FULL` (which syncs inside
 * COMMIT, on the calling thread), without stalling every request for the 1 to 2 ms a sync takes
 * on the bench machines (bench/results, group commit). SQLite still syncs the log header when
 * the log restarts, and the log and the database around checkpoints, itself.
 *
 * If a sync fails, nothing after it can be trusted to reach the disk (the kernel may have
 * dropped the dirty pages; PostgreSQL stops for the same reason): the waiting writes fail, and
 * every later write is refused as unavailable until the process is restarted.
 */
export class WalSync {
  readonly #walPath: string
  #fd: number | null = null
  #committed = 0
  #durable = 0
  #syncing = false
  #failure: StoreUnavailableError | null = null
  readonly #waiters: Waiter[] = []
  #idle: (() => void) | null = null

  constructor(databasePath: string) {
    this.#walPath = `${databasePath}-wal`
  }

  /** Throws once a sync has failed: nothing written from then on could be made durable. */
  assertHealthy(): void {
    if (this.#failure !== null) throw this.#failure
  }

  /** Call after each COMMIT: resolves once that commit is on disk. */
  afterCommit(): Promise<void> {
    this.#committed += 1
    const promise = this.#waitFor(this.#committed)
    this.#start()
    return promise
  }

  /** Resolves once every commit made so far is on disk; null when they already are. */
  untilDurable(): Promise<void> | null {
    if (this.#failure !== null) return Promise.reject(this.#failure)
    if (this.#durable >= this.#committed) return null
    return this.#waitFor(this.#committed)
  }

  /** Waits for the sync in flight and any still needed, then closes the log's descriptor. */
  async close(): Promise<void> {
    if (this.#failure === null && (this.#syncing || this.#durable < this.#committed)) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve
      })
    }
    if (this.#fd !== null) closeSync(this.#fd)
    this.#fd = null
  }

  #waitFor(seq: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ seq, resolve, reject })
    })
  }

  #start(): void {
    if (this.#syncing || this.#failure !== null) return
    let fd: number
    try {
      fd = this.#descriptor()
    } catch (error) {
      this.#fail(error)
      return
    }
    this.#syncing = true
    const target = this.#committed
    fdatasync(fd, (error) => {
      this.#syncing = false
      if (error !== null) {
        this.#fail(error)
        return
      }
      this.#durable = target
      let settled = 0
      while (settled < this.#waiters.length && (this.#waiters[settled]?.seq ?? 0) <= target) {
        settled += 1
      }
      for (const waiter of this.#waiters.splice(0, settled)) waiter.resolve()
      if (this.#committed > this.#durable) this.#start()
      else this.#idle?.()
    })
  }

  /**
   * Opened on first use: the log exists by then, since a commit has just written to it. The
   * directory is synced once too, so that the log file's own entry survives a power cut.
   */
  #descriptor(): number {
    if (this.#fd !== null) return this.#fd
    const fd = openSync(this.#walPath, 'r+')
    const directory = openSync(dirname(this.#walPath), 'r')
    try {
      fsyncSync(directory)
    } finally {
      closeSync(directory)
    }
    this.#fd = fd
    return fd
  }

  #fail(cause: unknown): void {
    this.#failure = new StoreUnavailableError(
      'the SQLite write-ahead log could not be synced to disk; writes are refused until restart',
      { cause },
    )
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure)
    this.#idle?.()
  }
}
