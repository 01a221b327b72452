/**
 * The one way protocol code fetches a document from a URL someone else chose (a client's
 * jwks_uri, a software statement issuer's keys, later a client ID metadata document). Core only
 * sees this port; src/net/safe-fetch.ts implements it with the network rules (https only, no
 * private or special-use address, no redirect, capped time and size), and the composition root
 * (src/registrar.ts) hands one instance to everything that fetches.
 */

/**
 * A fetch that has not answered whole in 5 s is down; a token or registration request is
 * waiting on it meanwhile.
 */
export const DEFAULT_FETCH_TIMEOUT_MS = 5_000
/** A JWK Set of ten 4096-bit RSA keys is about 8 KiB: 64 KiB is ample, and still cheap to hold. */
export const DEFAULT_FETCH_MAX_BYTES = 65_536

export interface FetchRequest {
  /** An absolute https URL. */
  readonly url: string
  /** Media types sent as Accept, most preferred first; the default is application/json. */
  readonly accept?: readonly string[]
  /** Largest body accepted, in bytes; a longer one is a failure, not a truncation. */
  readonly maxBytes?: number
  /** Milliseconds for everything: name resolution, connection, TLS and the whole body. */
  readonly timeoutMs?: number
  /** Aborts the fetch early (the caller's own deadline); an abort is a failure like any other. */
  readonly signal?: AbortSignal
}

/** A response that arrived whole within the limits; any status but a redirect (3xx). */
export interface FetchResult {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

export type Fetcher = (request: FetchRequest) => Promise<FetchResult>

/**
 * Every failure of a Fetcher, whatever its kind: a refused address, a refused scheme, a DNS
 * failure, a refused or reset connection, a bad certificate, a redirect, a timeout, a body over
 * the limit. One type with one message, so that what a client is told (and how long it waited)
 * says nothing about the network behind the server beyond "failed"; the `cause` says why, for
 * the server's own log, and is never rendered.
 */
export class FetchFailedError extends Error {
  constructor(cause: unknown) {
    super('the fetch failed', { cause })
    this.name = 'FetchFailedError'
  }
}
