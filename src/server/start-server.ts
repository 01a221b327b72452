import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeListener } from '../adapters/node.js'
import type { Registrar } from '../registrar.js'
import { CoalescedServerResponse } from './coalesced-server-response.js'

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  readonly url: string
  readonly port: number
  /**
   * Stops accepting connections, lets requests in flight finish (up to `graceMs`, default
   * 10 s), then closes what is left. Resolves when the server is closed.
   */
  close(graceMs?: number): Promise<void>
}

/**
 * Binds first and builds the registrar second, from the URL actually bound: with port 0 the
 * default issuer can only name the real port once the OS has picked it.
 */
export function startServer(
  host: string,
  port: number,
  build: (boundUrl: string) => Registrar,
): Promise<RunningServer> {
  let listener: ReturnType<typeof toNodeListener> | null = null
  // Answers ended in one turn of the event loop are written together at its end (see
  // coalesced-server-response.ts for why and what it costs).
  const server = createServer({ ServerResponse: CoalescedServerResponse }, (req, res) => {
    // Requests cannot arrive before listen's callback has set the listener; the guard is for types.
    if (listener === null) res.writeHead(503).end()
    else void listener(req, res)
  })
  // A client may shut its side down once the request is sent (shutdown(SHUT_WR), `nc -N`). By
  // default Node then ends the connection at once, dropping an answer still waiting for its
  // commit to reach the disk; half-open, the answer goes out first. (http.Server's own switch,
  // set false by its constructor; @types/node does not declare it.)
  ;(server as unknown as { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
  // Slow-loris bounds: 30 s to send the headers and 60 s for the whole request.
  server.headersTimeout = 30_000
  server.requestTimeout = 60_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address() as AddressInfo
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
      const url = `http://${shownHost}:${address.port}`
      try {
        listener = toNodeListener(build(url))
      } catch (error) {
        server.close()
        reject(error)
        return
      }
      resolve({
        url,
        port: address.port,
        close(graceMs = 10_000) {
          return new Promise<void>((done) => {
            // Keep-alive connections hold close() open until they time out (5 s). Those idle now
            // go at once; those serving a request go as soon as their response is out, checked
            // every 25 ms, and whatever is still busy after the grace period is cut.
            const sweep = setInterval(() => server.closeIdleConnections(), 25)
            const deadline = setTimeout(() => server.closeAllConnections(), graceMs)
            server.close(() => {
              clearInterval(sweep)
              clearTimeout(deadline)
              done()
            })
            server.closeIdleConnections()
          })
        },
      })
    })
  })
}
