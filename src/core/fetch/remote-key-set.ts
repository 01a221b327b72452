import type { JWTVerifyGetKey } from 'jose'
import { createRemoteJWKSet, customFetch } from 'jose'
import type { Fetcher } from './fetcher.js'
import { DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_TIMEOUT_MS, FetchFailedError } from './fetcher.js'

/** RFC 7517 §8.5 registers application/jwk-set+json; most hosts serve application/json. */
const JWK_SET_MEDIA_TYPES: readonly string[] = ['application/jwk-set+json', 'application/json']
/**
 * After a failed fetch, a key set with no fresh keys fails at once for this long instead of
 * fetching again: otherwise every token request naming a dead or hostile jwks_uri is one more
 * outbound request (and up to 5 s of waiting). jose's own cooldown only follows a success.
 */
const FAILURE_COOLDOWN_MS = 30_000

function isJwkSet(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const { keys } = value as { readonly keys?: unknown }
  return (
    Array.isArray(keys) &&
    keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  )
}

/**
 * The keys published at `url` (a client's jwks_uri, RFC 7591 §2; a statement issuer's keys),
 * fetched through `fetcher` only, with jose's cache (10 minutes) and refetch cooldown (30 s
 * after a success) on top. Every way the fetch can fail (the fetcher's own refusals, a status
 * other than 200, a body that is not a JWK Set) is the one FetchFailedError, which the caller
 * turns into its protocol's error: jose never sees a timeout or a bad body it could describe.
 */
export function createRemoteKeySet(
  url: URL,
  fetcher: Fetcher,
  now: () => number = Date.now,
): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: DEFAULT_FETCH_TIMEOUT_MS,
    [customFetch]: async (href, init) => {
      const result = await fetcher({
        url: href,
        accept: JWK_SET_MEDIA_TYPES,
        maxBytes: DEFAULT_FETCH_MAX_BYTES,
        timeoutMs: DEFAULT_FETCH_TIMEOUT_MS,
        signal: init.signal,
      })
      if (result.status !== 200) {
        throw new FetchFailedError(new Error(`status ${result.status}, expected 200`))
      }
      let text: string
      let json: unknown
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(result.body)
        json = JSON.parse(text)
      } catch (cause) {
        throw new FetchFailedError(cause)
      }
      // RFC 7517 §5: an object whose keys member is an array of JWK objects.
      if (!isJwkSet(json)) throw new FetchFailedError(new Error('the body is not a JWK Set'))
      return new Response(text, { status: 200, headers: { 'Content-Type': 'application/json' } })
    },
  })

  let failedAt = Number.NEGATIVE_INFINITY
  return async (header, token) => {
    if (!remote.fresh && now() - failedAt < FAILURE_COOLDOWN_MS) {
      throw new FetchFailedError(new Error('the last fetch failed less than 30 s ago'))
    }
    try {
      return await remote(header, token)
    } catch (error) {
      if (error instanceof FetchFailedError) failedAt = now()
      throw error
    }
  }
}
