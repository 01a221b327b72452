import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A tiny OAuth client "application" on a loopback port (RFC 8252 §7.3): it serves one redirect
 * endpoint, `/callback`, records the query of every request it receives there and answers with a
 * small HTML page, as a real client's redirect handler would before exchanging the code.
 */
export interface ClientApp {
  /** http://127.0.0.1:<port> */
  readonly origin: string
  /** The redirect URI to register: `${origin}/callback`. */
  readonly redirectUri: string
  /** The query of each request to /callback, oldest first. */
  readonly received: readonly URLSearchParams[]
  /** Resolves with the query of the next request to /callback (or the first one, if it came). */
  nextCallback(): Promise<URLSearchParams>
  close(): Promise<void>
}

export async function startClientApp(): Promise<ClientApp> {
  const received: URLSearchParams[] = []
  const waiting: ((query: URLSearchParams) => void)[] = []
  let consumed = 0

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (request.method !== 'GET' || url.pathname !== '/callback') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    received.push(url.searchParams)
    const next = waiting.shift()
    if (next !== undefined) {
      consumed += 1
      next(url.searchParams)
    }
    response
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
      .end('<!doctype html><title>Client app</title><h1 id="done">Authorization received</h1>')
  })
  const origin = await listen(server)

  return {
    origin,
    redirectUri: `${origin}/callback`,
    received,
    nextCallback() {
      const ready = received[consumed]
      if (ready !== undefined) {
        consumed += 1
        return Promise.resolve(ready)
      }
      return new Promise((resolve) => waiting.push(resolve))
    },
    close: () => closeServer(server),
  }
}

/** Listens on 127.0.0.1, port 0; resolves with `http://127.0.0.1:<port>`. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      const { port } = server.address() as AddressInfo
      resolve(`http://127.0.0.1:${port}`)
    })
  })
}

/** Stops listening and drops kept-alive connections, so that close() does not wait on them. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close((error) => (error === undefined ? resolve() : reject(error)))
    server.closeAllConnections()
  })
}
