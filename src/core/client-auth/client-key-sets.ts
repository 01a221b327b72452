import type { JWK, JWTVerifyGetKey } from 'jose'
import { createLocalJWKSet } from 'jose'
import type { Fetcher } from '../fetch/fetcher.js'
import { createRemoteKeySet } from '../fetch/remote-key-set.js'
import type { ClientRecord } from '../store/store.js'

/**
 * Key sets kept at once. Dynamic registration lets anyone add clients, so the cache is bounded;
 * a client pushed out only pays one more fetch (or import) on its next request.
 */
const MAX_CACHED_CLIENTS = 1_000

interface Entry {
  /** The registration the keys were built from: an update (new jwks or jwks_uri) rebuilds them. */
  readonly version: number
  readonly getKey: JWTVerifyGetKey
}

/**
 * The public keys each private_key_jwt client registered (RFC 7591 §2: `jwks` or `jwks_uri`),
 * built once per client so that jose's per-URI cache and refetch cooldown apply across requests
 * instead of fetching the client's jwks_uri on every token request.
 */
export class ClientKeySets {
  readonly #entries = new Map<string, Entry>()
  readonly #fetcher: Fetcher | null

  /**
   * `fetcher` is the only way a jwks_uri is fetched (the composition root passes the safe one,
   * src/net/safe-fetch.ts). Without one, a client's jwks_uri gives no usable keys: nothing is
   * ever fetched by default.
   */
  constructor(fetcher?: Fetcher) {
    this.#fetcher = fetcher ?? null
  }

  /** The key resolver for `client`, or null when it registered no keys. */
  get(client: ClientRecord): JWTVerifyGetKey | null {
    const cached = this.#entries.get(client.clientId)
    if (cached !== undefined && cached.version === client.version) {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      this.#entries.delete(client.clientId)
      this.#entries.set(client.clientId, cached)
      return cached.getKey
    }
    const getKey = build(client, this.#fetcher)
    if (getKey === null) return null
    this.#entries.delete(client.clientId)
    this.#entries.set(client.clientId, { version: client.version, getKey })
    if (this.#entries.size > MAX_CACHED_CLIENTS) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    return getKey
  }
}

function build(client: ClientRecord, fetcher: Fetcher | null): JWTVerifyGetKey | null {
  const { jwks, jwks_uri: jwksUri } = client.metadata
  if (jwks !== undefined) {
    try {
      return createLocalJWKSet({ keys: [...jwks.keys] as JWK[] })
    } catch {
      // Registration validated the set (check-jwks.ts); a stored one jose refuses has no usable key.
      return null
    }
  }
  if (jwksUri !== undefined && fetcher !== null) {
    const url = URL.parse(jwksUri)
    if (url === null) return null
    return createRemoteKeySet(url, fetcher)
  }
  return null
}
