import type { Server, Socket } from 'node:net'
import { connect, createServer } from 'node:net'

/**
 * A TCP proxy between registrar and PostgreSQL that a test can break on purpose, the two ways
 * networks break:
 *
 * - `cut()`: every connection is reset and new ones are reset on arrival, as when the database
 *   restarts or a firewall rejects (the driver learns at once).
 * - `stall()`: nothing gets through any more, but nothing is closed either, as in a network
 *   partition (the driver learns only from its own timeouts).
 *
 * `restore()` forwards new connections again; connections that were stalled are closed then,
 * since whatever was in flight on them is lost.
 */
export interface TcpProxy {
  readonly port: number
  cut(): void
  stall(): void
  restore(): void
  close(): Promise<void>
}

type Mode = 'open' | 'cut' | 'stall'

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = 'open'
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>()

  const server: Server = createServer((client) => {
    client.on('error', () => undefined)
    if (mode === 'cut') {
      client.resetAndDestroy()
      return
    }
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null }
    pairs.add(pair)
    client.on('close', () => {
      pair.upstream?.destroy()
      pairs.delete(pair)
    })
    // A connection that arrives during a stall is held, unanswered, like a SYN into a void.
    if (mode === 'stall') return
    const upstream = connect(target.port, target.host)
    pair.upstream = upstream
    upstream.on('error', () => client.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')

  return {
    port: address.port,
    cut() {
      mode = 'cut'
      for (const { client, upstream } of pairs) {
        upstream?.destroy()
        client.resetAndDestroy()
      }
    },
    stall() {
      mode = 'stall'
      for (const { client, upstream } of pairs) {
        if (upstream === null) continue
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
    },
    restore() {
      if (mode === 'stall') {
        for (const { client } of pairs) client.destroy()
      }
      mode = 'open'
    },
    close() {
      for (const { client } of pairs) client.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
