import type { Store } from '../../src/core/store/store.js'

export interface StoreJitter {
  /** Calls of Store.updateClient that wrote nothing (the version moved on, or the client went). */
  readonly refusedUpdates: () => number
  readonly updates: () => number
}

/**
 * The SQLite store answers synchronously underneath, so two requests fired together tend to run
 * one after the other and never meet inside the handler. This delays the store's reads and
 * writes by a random 0 to `maxMs` milliseconds (on the test server's own store object, not in
 * src), so that two requests really do read the same version and then both try to write it,
 * and counts the writes the compare-and-set refused: proof that the race was exercised.
 */
export function addStoreJitter(store: Store, maxMs: number): StoreJitter {
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * maxMs))
  const find = store.findClientByRegistrationAccessTokenHash.bind(store)
  const update = store.updateClient.bind(store)
  const remove = store.deleteClient.bind(store)
  let updates = 0
  let refused = 0
  Object.assign(store, {
    async findClientByRegistrationAccessTokenHash(tokenHash: string) {
      await pause()
      return find(tokenHash)
    },
    async updateClient(...args: Parameters<Store['updateClient']>) {
      await pause()
      updates++
      const written = await update(...args)
      if (!written) refused++
      return written
    },
    async deleteClient(clientId: string) {
      await pause()
      return remove(clientId)
    },
  })
  return { refusedUpdates: () => refused, updates: () => updates }
}
