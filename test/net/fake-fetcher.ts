import type { Fetcher, FetchRequest, FetchResult } from '../../src/core/fetch/fetcher.js'

/** A whole response as a Fetcher hands it over: JSON content type, the body as bytes. */
export function fetchResult(status: number, body: string | Uint8Array): FetchResult {
  return {
    status,
    headers: new Headers({ 'Content-Type': 'application/json' }),
    body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  }
}

/** A Fetcher for core's unit tests: answers with `respond`, recording every request. */
export function fakeFetcher(
  respond: () => Promise<FetchResult>,
): Fetcher & { readonly requests: readonly FetchRequest[] } {
  const requests: FetchRequest[] = []
  const fetcher: Fetcher = (request) => {
    requests.push(request)
    return respond()
  }
  return Object.assign(fetcher, { requests })
}
