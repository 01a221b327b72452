import { connect } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Logger } from '../../src/logger.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

interface Entry {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly fields: Record<string, unknown>
  readonly message: string
}

/**
 * Opens a connection, sends the head and part of the body of a POST, then resets it: a client
 * that hangs up mid-request (a closed laptop, a cancelled fetch).
 */
async function abortMidBody(url: string, path: string, head: string, part: string): Promise<void> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${head}\r\n${part}`)
  // Long enough for the server to start reading the body before the connection goes.
  await new Promise((resolve) => setTimeout(resolve, 50))
  socket.resetAndDestroy()
}

describe('a client that aborts its request mid-body is logged at debug, not as an error', () => {
  const entries: Entry[] = []
  const record =
    (level: Entry['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      entries.push({ level, fields, message })
    }
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  }
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ logger, registration: { rateLimit: false } })
  })
  afterAll(async () => {
    await server.close()
  })
  afterEach(() => {
    entries.length = 0
    vi.restoreAllMocks()
  })

  /** Waits for the server to log the aborted request, then returns all it logged. */
  async function logged(): Promise<readonly Entry[]> {
    await vi.waitFor(() => expect(entries.length).toBeGreaterThan(0), { timeout: 2_000 })
    // A late second entry (a 500 logged after the abort) would show up here.
    await new Promise((resolve) => setTimeout(resolve, 100))
    return entries
  }

  it.each([
    [
      'a JSON registration with Content-Length',
      '/register',
      'Content-Type: application/json\r\nContent-Length: 1000\r\n',
      '{"redirect_uris":',
    ],
    [
      'a chunked JSON registration',
      '/register',
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
      '11\r\n{"redirect_uris":\r\n',
    ],
    [
      'a form-encoded token request',
      '/token',
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n',
      'grant_type=client_credentials&client_id=',
    ],
  ])(
    '%s → one debug entry, no error, no stack, nothing on the console',
    async (_name, path, head, part) => {
      const consoleError = vi.spyOn(console, 'error')
      await abortMidBody(server.url, path, head, part)
      expect(await logged()).toEqual([
        {
          level: 'debug',
          fields: { reason: 'Error: aborted' },
          message: 'the client closed the connection before its request body arrived',
        },
      ])
      expect(consoleError).not.toHaveBeenCalled()
    },
  )

  it('the server keeps answering afterwards', async () => {
    await abortMidBody(
      server.url,
      '/register',
      'Content-Type: application/json\r\nContent-Length: 100\r\n',
      '{',
    )
    await logged()
    const response = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://client.example/cb'] }),
    })
    expect(response.status).toBe(201)
  })
})
