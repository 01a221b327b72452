/**
 * At most `max` of one costly kind of work at once in this process, with no queue: past the
 * limit a caller is told no at once, so that it can answer quickly (503 with Retry-After)
 * instead of making everyone wait. A queue would not help: work that saturates the CPU only
 * gets slower for everybody when more of it runs, and a burst of it made one real sign-in take
 * 6.7 s instead of 0.23 s.
 */
export class ConcurrencyLimit {
  readonly #max: number
  #active = 0

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`concurrency limit must be a positive integer, got ${max}`)
    }
    this.#max = max
  }

  /**
   * A slot, as the function that gives it back (calling it again does nothing), or null when
   * all `max` are taken.
   */
  tryAcquire(): (() => void) | null {
    if (this.#active >= this.#max) return null
    this.#active++
    let held = true
    return () => {
      if (!held) return
      held = false
      this.#active--
    }
  }

  /** Slots taken right now. */
  get active(): number {
    return this.#active
  }
}
