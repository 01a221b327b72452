import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { parseAddressAllowList } from '../../src/core/fetch/address-allow-list.js'
import type { Fetcher } from '../../src/core/fetch/fetcher.js'
import type { Resolver } from '../../src/net/safe-fetch.js'
import { createSafeFetcher, safeFetchTestSeam } from '../../src/net/safe-fetch.js'

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
}

/** The CA the test server's certificate chains to (fixtures/README.md). */
export const TEST_CA = fixture('ca.pem')
/** A CA that signed nothing the test server holds. */
export const OTHER_CA = fixture('other-ca.pem')
/** The name on the test server's certificate (with IP 127.0.0.1). */
export const TEST_HOST = 'jwks.registrar.test'

export type Route = (request: IncomingMessage, response: ServerResponse) => void

/** A real https server on 127.0.0.1 that counts what reaches it. */
export interface TlsTestServer {
  readonly port: number
  /** TCP connections accepted so far, counted before any TLS handshake. */
  connections(): number
  /** Requests that reached `path` so far. */
  requests(path: string): number
  /** The SNI host name of the last request's connection; false when none was sent. */
  lastServername(): string | false | null
  close(): Promise<void>
}

export async function startTlsServer(
  routes: Readonly<Record<string, Route>>,
): Promise<TlsTestServer> {
  let connections = 0
  let servername: string | false | null = null
  const counts = new Map<string, number>()
  const server = createServer(
    { key: fixture('server-key.pem'), cert: fixture('server.pem') },
    (request, response) => {
      const path = new URL(request.url ?? '/', 'https://x').pathname
      counts.set(path, (counts.get(path) ?? 0) + 1)
      servername = (request.socket as TLSSocket).servername
      const route = routes[path]
      if (route === undefined) {
        response.writeHead(404).end()
      } else {
        route(request, response)
      }
    },
  )
  server.on('connection', () => {
    connections += 1
  })
  // A refused certificate ends the handshake from the client's side: not a server failure.
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests: (path) => counts.get(path) ?? 0,
    lastServername: () => servername,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
      }),
  }
}

/** A route answering with the JWK Set of `keys`, as a client's jwks_uri would. */
export function jwkSetRoute(keys: () => readonly object[]): Route {
  return (_request, response) => {
    response
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ keys: keys() }))
  }
}

/** Answers TEST_HOST (and only it) with 127.0.0.1, counting the questions. */
export function loopbackResolver(): Resolver & { readonly calls: () => number } {
  let calls = 0
  const resolve: Resolver = async (hostname) => {
    calls += 1
    if (hostname !== TEST_HOST) throw new Error(`ENOTFOUND ${hostname}`)
    return [{ address: '127.0.0.1', family: 4 }]
  }
  return Object.assign(resolve, { calls: () => calls })
}

/**
 * The safe fetcher as an operator opting in to 127.0.0.1 configures it
 * (outboundFetch.allowPrivateAddresses), with the test seam only for TEST_CA and for names
 * answered by `resolve`. Every other rule holds as in production.
 */
export function loopbackFetcher(
  resolve: Resolver = loopbackResolver(),
  ca: string = TEST_CA,
): Fetcher {
  return createSafeFetcher({
    allowPrivateAddresses: parseAddressAllowList(['127.0.0.1/32']),
    [safeFetchTestSeam]: { allowAddresses: [], ca, resolve },
  })
}
