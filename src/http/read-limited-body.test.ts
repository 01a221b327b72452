import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors.js'
import type { Logger } from '../logger.js'
import { hasMediaType, RequestAbortedError, readLimitedBody } from './read-limited-body.js'
import { toOAuthError } from './render.js'

const URL_ = 'http://registrar.test/register'
const LIMIT = 16
const utf8 = new TextEncoder()

/** A body of `chunks` as a stream, with no Content-Length: what a chunked upload looks like. */
function streamed(chunks: readonly string[]): { request: Request; pulled: () => number } {
  let index = 0
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[index++]
        if (chunk === undefined) controller.close()
        else controller.enqueue(utf8.encode(chunk))
      },
      // Pull only when read, so `pulled` counts the chunks actually read.
    },
    { highWaterMark: 0 },
  )
  const request = new Request(URL_, { method: 'POST', body, duplex: 'half' } as RequestInit)
  return { request, pulled: () => index }
}

/**
 * A Request-shaped object with a Content-Length whose `body` must never be touched: the fast path
 * reads only through `arrayBuffer()`, as @hono/node-server serves it from the IncomingMessage.
 */
function declared(contentLength: string, bytes: string): { request: Request; reads: () => number } {
  let reads = 0
  const request = {
    headers: new Headers({ 'content-length': contentLength }),
    async arrayBuffer() {
      reads++
      return utf8.encode(bytes).buffer
    },
    get body(): never {
      throw new Error('the fast path must not build a body stream')
    },
  } as unknown as Request
  return { request, reads: () => reads }
}

async function expect413(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OAuthError)
  expect(error).toMatchObject({ code: 'invalid_request', status: 413 })
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

describe('readLimitedBody with a declared Content-Length', () => {
  it.each([
    ['an empty body', ''],
    ['one byte', 'a'],
    ['exactly the limit', 'x'.repeat(LIMIT)],
  ])(
    'within the limit (%s) reads the bytes with arrayBuffer(), never the stream',
    async (_, body) => {
      const { request, reads } = declared(String(utf8.encode(body).byteLength), body)
      expect(text(await readLimitedBody(request, LIMIT))).toBe(body)
      expect(reads()).toBe(1)
    },
  )

  it.each([String(LIMIT + 1), '1000000', '99999999999999999999'])(
    'over the limit (Content-Length: %s) → 413 before a byte is read',
    async (contentLength) => {
      const { request, reads } = declared(contentLength, 'x'.repeat(LIMIT + 1))
      await expect413(readLimitedBody(request, LIMIT))
      expect(reads()).toBe(0)
    },
  )

  it('a Content-Length that understates the body (a Request built in-process) → 413', async () => {
    const { request } = declared('4', 'x'.repeat(LIMIT + 1))
    await expect413(readLimitedBody(request, LIMIT))
  })

  it('a real Request within the limit returns its bytes', async () => {
    const request = new Request(URL_, {
      method: 'POST',
      headers: { 'content-length': '5' },
      body: 'hello',
    })
    expect(text(await readLimitedBody(request, LIMIT))).toBe('hello')
  })

  it('a real Request over the limit → 413 without its stream being read', async () => {
    const { request, pulled } = streamed(['x'.repeat(LIMIT + 1)])
    request.headers.set('content-length', String(LIMIT + 1))
    await expect413(readLimitedBody(request, LIMIT))
    expect(pulled()).toBe(0)
  })

  it.each([
    ['within the limit', ['abc', 'def'], 'abcdef'],
    ['over the limit', ['x'.repeat(LIMIT), 'y'], null],
  ])(
    'a Content-Length that is not digits keeps the counting stream path: %s',
    async (_, chunks, expected) => {
      const { request } = streamed(chunks)
      request.headers.set('content-length', 'abc')
      const read = readLimitedBody(request, LIMIT)
      if (expected === null) await expect413(read)
      else expect(text(await read)).toBe(expected)
    },
  )
})

describe('readLimitedBody without a Content-Length (a streamed, chunked body)', () => {
  it.each([
    ['one chunk', ['hello'], 'hello'],
    ['several chunks', ['he', 'll', 'o'], 'hello'],
    [
      'chunks adding up to exactly the limit',
      ['x'.repeat(8), 'y'.repeat(8)],
      `${'x'.repeat(8)}${'y'.repeat(8)}`,
    ],
    ['no chunks at all', [], ''],
  ])('within the limit (%s) returns the bytes', async (_, chunks, expected) => {
    const { request } = streamed(chunks)
    expect(request.headers.get('content-length')).toBeNull()
    expect(text(await readLimitedBody(request, LIMIT))).toBe(expected)
  })

  it('over the limit → 413, and reading stops at the chunk that passes it', async () => {
    const { request, pulled } = streamed(['x'.repeat(10), 'y'.repeat(10), 'z', 'z', 'z'])
    await expect413(readLimitedBody(request, LIMIT))
    expect(pulled()).toBe(2)
  })

  it('no body at all → an empty Uint8Array', async () => {
    const bytes = await readLimitedBody(new Request(URL_, { method: 'POST' }), LIMIT)
    expect(bytes).toBeInstanceOf(Uint8Array)
    expect(bytes.byteLength).toBe(0)
  })
})

describe('Content-Type names the media type, with parameters allowed and any charset UTF-8', () => {
  it.each([
    ['application/json', 'application/json', true],
    ['application/json; charset=utf-8', 'application/json', true],
    ['application/json;charset="UTF-8"', 'application/json', true],
    ['Application/JSON', 'application/json', true],
    [' application/json ', 'application/json', true],
    ['application/json; boundary=x', 'application/json', true],
    ['application/json; charset=latin1', 'application/json', false],
    ['application/jsonx', 'application/json', false],
    ['text/plain', 'application/json', false],
    ['', 'application/json', false],
    [null, 'application/json', false],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', true],
    ['application/x-www-form-urlencoded; charset=UTF-8', 'application/x-www-form-urlencoded', true],
    [
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'application/x-www-form-urlencoded',
      false,
    ],
  ])('%j as %s: %s', (header, mediaType, expected) => {
    expect(hasMediaType(header, mediaType)).toBe(expected)
  })
})

/** A POST whose body sends one chunk and then fails with `failure`. */
function failingRequest(failure: Error, signal?: AbortSignal): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(utf8.encode('{"redirect_uris":'))
    },
    pull(controller) {
      controller.error(failure)
    },
  })
  return new Request(URL_, {
    method: 'POST',
    body,
    duplex: 'half',
    ...(signal === undefined ? {} : { signal }),
  } as RequestInit)
}

function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
}

describe('readLimitedBody tells a client that left from a body that failed', () => {
  it('Node ending the body with ECONNRESET → RequestAbortedError, with the cause kept', async () => {
    const cause = connectionReset()
    const read = readLimitedBody(failingRequest(cause), 1024)
    await expect(read).rejects.toBeInstanceOf(RequestAbortedError)
    await expect(read).rejects.toMatchObject({ cause })
  })

  it("a failure after the request's signal was aborted (Fetch: the client left) → RequestAbortedError", async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      readLimitedBody(failingRequest(new Error('terminated'), controller.signal), 1024),
    ).rejects.toBeInstanceOf(RequestAbortedError)
  })

  it('any other failure, with the client still there, is rethrown as it is (a bug stays a bug)', async () => {
    const failure = new TypeError('Body is unusable')
    await expect(readLimitedBody(failingRequest(failure), 1024)).rejects.toBe(failure)
  })
})

describe('toOAuthError: a client that left is logged at debug, never as an unhandled error', () => {
  function recorder(withDebug: boolean): { readonly logger: Logger; readonly levels: string[] } {
    const levels: string[] = []
    const at = (level: string) => () => {
      levels.push(level)
    }
    const base = { info: at('info'), warn: at('warn'), error: at('error') }
    return { levels, logger: withDebug ? { ...base, debug: at('debug') } : base }
  }

  it('RequestAbortedError → 400 invalid_request, one debug entry', () => {
    const { logger, levels } = recorder(true)
    const error = toOAuthError(new RequestAbortedError(connectionReset()), logger)
    expect(error).toBeInstanceOf(OAuthError)
    expect({ code: error.code, status: error.status }).toEqual({
      code: 'invalid_request',
      status: 400,
    })
    expect(levels).toEqual(['debug'])
  })

  it('a host logger without debug logs nothing for it', () => {
    const { logger, levels } = recorder(false)
    expect(toOAuthError(new RequestAbortedError(connectionReset()), logger).status).toBe(400)
    expect(levels).toEqual([])
  })

  it('an unexpected error is still a 500 logged at error', () => {
    const { logger, levels } = recorder(true)
    expect(toOAuthError(new TypeError('bug'), logger).code).toBe('server_error')
    expect(levels).toEqual(['error'])
  })
})
