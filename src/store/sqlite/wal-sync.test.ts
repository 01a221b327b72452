import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../../core/store/store-unavailable-error.js'
import { WalSync } from './wal-sync.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registrar-wal-sync-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('commits are acknowledged only after the write-ahead log is synced', () => {
  it('every commit made before a sync resolves with it, in order', async () => {
    await writeFile(join(dir, 'db-wal'), 'frames')
    const sync = new WalSync(join(dir, 'db'))
    const settled: number[] = []
    const commits = Array.from({ length: 5 }, (_, i) =>
      sync.afterCommit().then(() => settled.push(i)),
    )
    expect(sync.untilDurable()).not.toBeNull()
    await Promise.all(commits)
    expect(settled).toEqual([0, 1, 2, 3, 4])
    expect(sync.untilDurable()).toBeNull()
    await sync.close()
  })

  it('a log that cannot be synced fails the waiting commits, and every later write is refused', async () => {
    // No "-wal" file: opening it fails, as a sync on a failing disk would.
    const sync = new WalSync(join(dir, 'missing'))
    await expect(sync.afterCommit()).rejects.toBeInstanceOf(StoreUnavailableError)
    expect(() => sync.assertHealthy()).toThrow(StoreUnavailableError)
    await expect(sync.untilDurable()).rejects.toBeInstanceOf(StoreUnavailableError)
    await sync.close()
  })
})
