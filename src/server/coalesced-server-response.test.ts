import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CoalescedServerResponse } from './coalesced-server-response.js'

type Handler = (request: IncomingMessage, response: ServerResponse) => void

let server: Server | null = null

afterEach(async () => {
  const open = server
  server = null
  if (open === null) return
  open.closeAllConnections()
  await new Promise<void>((resolve) => open.close(() => resolve()))
})

async function listen(handler: Handler): Promise<number> {
  const started = createServer({ ServerResponse: CoalescedServerResponse }, handler)
  server = started
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve))
  const address = started.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return address.port
}

/** Sends raw bytes and collects what comes back until the server closes the connection. */
function exchange(port: number, raw: string): Promise<{ text: string; error: Error | null }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    let error: Error | null = null
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
    })
    socket.on('error', (failure) => {
      error = failure
    })
    socket.on('close', () => resolve({ text, error }))
    socket.end(raw)
  })
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('CoalescedServerResponse', () => {
  it('ends a response at the end of the turn in which end() was called, not inside the call', async () => {
    const seen: Array<{ inside: boolean; afterTurn: boolean }> = []
    const port = await listen((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' })
      const returned = response.end('ok')
      expect(returned).toBe(response)
      const inside = response.writableEnded
      setImmediate(() => seen.push({ inside, afterTurn: response.writableEnded }))
    })
    const response = await fetch(`http://127.0.0.1:${port}/`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
    await nextTurn()
    expect(seen).toEqual([{ inside: false, afterTurn: true }])
  })

  it('keeps the end callback and the finish event', async () => {
    const events: string[] = []
    const port = await listen((_request, response) => {
      response.on('finish', () => events.push('finish'))
      response.end('done', () => events.push('callback'))
    })
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('done')
    await nextTurn()
    expect(events.sort()).toEqual(['callback', 'finish'])
  })

  it('answers pipelined requests in request order when later ones end first (RFC 9112 §9.3.2)', async () => {
    const held: Array<{ path: string; response: ServerResponse }> = []
    const port = await listen((request, response) => {
      held.push({ path: request.url ?? '', response })
      if (held.length < 3) return
      // One turn ends them newest first; Node holds each answer until those before it are out.
      for (const { path, response: waiting } of held.reverse()) waiting.end(`[for ${path}]`)
    })
    const requests = ['/first', '/second', '/third']
      .map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
      .join('')
    const { text } = await exchange(port, requests)
    expect(text.match(/\[for [^\]]+\]/g)).toEqual(['[for /first]', '[for /second]', '[for /third]'])
  })

  it('writes in the order end() was called when one turn ends several connections', async () => {
    const finished: string[] = []
    const ended: string[] = []
    let held: Array<{ path: string; response: ServerResponse }> = []
    const port = await listen((request, response) => {
      const path = request.url ?? ''
      held.push({ path, response })
      response.on('finish', () => finished.push(path))
      if (held.length < 3) return
      const all = held
      held = []
      for (const { path: heldPath, response: waiting } of all.reverse()) {
        ended.push(heldPath)
        waiting.end(heldPath)
      }
    })
    const answers = await Promise.all(
      ['/a', '/b', '/c'].map(async (path) =>
        (await fetch(`http://127.0.0.1:${port}${path}`)).text(),
      ),
    )
    expect(answers).toEqual(['/a', '/b', '/c'])
    expect(ended).toHaveLength(3)
    expect(finished).toEqual(ended)
  })

  it('cuts the connection of a response whose end() throws, and still answers the others', async () => {
    const port = await listen((request, response) => {
      if (request.url === '/broken') {
        // Node throws ERR_HTTP_CONTENT_LENGTH_MISMATCH from end() when strictContentLength is on.
        response.strictContentLength = true
        response.writeHead(200, { 'Content-Length': '10' })
        response.end('short')
        return
      }
      response.end('fine')
    })
    const [broken, fine] = await Promise.all([
      exchange(port, 'GET /broken HTTP/1.1\r\nHost: x\r\n\r\n'),
      fetch(`http://127.0.0.1:${port}/fine`).then((response) => response.text()),
    ])
    expect(fine).toBe('fine')
    expect(broken.text).not.toContain('short')
    // The process is still serving.
    expect(await (await fetch(`http://127.0.0.1:${port}/again`)).text()).toBe('fine')
  })

  it('ends nothing on a connection the client already closed, without an error', async () => {
    let ended: Promise<void> | null = null
    const port = await listen((request, response) => {
      ended = new Promise((resolve) => {
        request.socket.once('close', () => {
          response.end('too late')
          setImmediate(() => setImmediate(resolve))
        })
      })
    })
    const socket = connect(port, '127.0.0.1')
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(ended).not.toBeNull()
    await ended
  })
})
