import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TlsTestServer } from '../../test/net/tls-server.js'
import {
  loopbackFetcher,
  loopbackResolver,
  OTHER_CA,
  startTlsServer,
  TEST_CA,
  TEST_HOST,
} from '../../test/net/tls-server.js'
import { parseAddressAllowList } from '../core/fetch/address-allow-list.js'
import type { Fetcher, FetchResult } from '../core/fetch/fetcher.js'
import { FetchFailedError } from '../core/fetch/fetcher.js'
import { createSafeFetcher, safeFetchTestSeam } from './safe-fetch.js'

const JWKS = JSON.stringify({ keys: [] })
const MIB = 1024 * 1024

let server: TlsTestServer
let production: Fetcher

beforeAll(async () => {
  server = await startTlsServer({
    '/jwks': (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JWKS)
    },
    '/echo': (request, response) => {
      response
        .writeHead(200, { 'Content-Type': 'application/json', 'X-Answer': 'yes' })
        .end(JSON.stringify({ accept: request.headers.accept, host: request.headers.host }))
    },
    '/missing': (_request, response) => {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such key set')
    },
    '/redirect': (_request, response) => {
      response.writeHead(302, { Location: `https://${TEST_HOST}:${server.port}/jwks` }).end()
    },
    '/permanent-redirect': (_request, response) => {
      response.writeHead(308, { Location: '/jwks' }).end()
    },
    // 1 MiB, chunked: no Content-Length to refuse it by, the cap must count the bytes.
    '/mebibyte': (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      for (let sent = 0; sent < MIB; sent += 16_384) response.write(Buffer.alloc(16_384, 0x20))
      response.end()
    },
    '/declared-mebibyte': (_request, response) => {
      response.writeHead(200, { 'Content-Length': String(MIB) })
      response.end(Buffer.alloc(MIB, 0x20))
    },
    // Announces 1 MiB, then sends nothing: only the Content-Length can refuse it early.
    '/announced-mebibyte': (_request, response) => {
      response.writeHead(200, { 'Content-Length': String(MIB) })
      response.flushHeaders()
    },
    '/exactly-1000': (_request, response) => {
      response.writeHead(200).end(Buffer.alloc(1000, 0x20))
    },
    '/exactly-1001': (_request, response) => {
      response.writeHead(200).end(Buffer.alloc(1001, 0x20))
    },
    // Headers at once, then a byte every 100 ms for ever: each read is quick, the whole is not.
    '/trickle': (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      const timer = setInterval(() => response.write(' '), 100)
      response.on('close', () => clearInterval(timer))
    },
    '/silent': () => {},
  })
  production = createSafeFetcher()
})

afterAll(async () => {
  await server.close()
})

async function failure(result: Promise<FetchResult>): Promise<FetchFailedError> {
  const outcome = await result.then(
    () => 'resolved',
    (error: unknown) => error,
  )
  expect(outcome).toBeInstanceOf(FetchFailedError)
  return outcome as FetchFailedError
}

function text(result: FetchResult): string {
  return new TextDecoder().decode(result.body)
}

describe('SSRF: special-use addresses are refused before any connection is made', () => {
  it.each([
    ['127.0.0.1 (loopback)', (port: number) => `https://127.0.0.1:${port}/jwks`],
    ['localhost (resolves to loopback)', (port: number) => `https://localhost:${port}/jwks`],
    ['an IPv4-mapped 127.0.0.1', (port: number) => `https://[::ffff:127.0.0.1]:${port}/jwks`],
    ['::1', (port: number) => `https://[::1]:${port}/jwks`],
    ['127.0.0.1 written as one number', (port: number) => `https://2130706433:${port}/jwks`],
    ['127.0.0.1 written in hex', (port: number) => `https://0x7f.1:${port}/jwks`],
    ['0.0.0.0', (port: number) => `https://0.0.0.0:${port}/jwks`],
  ])('%s: refused, and the local server sees no connection', async (_, url) => {
    const before = server.connections()
    const started = Date.now()
    await failure(production({ url: url(server.port) }))
    // No connection means no port-dependent timing: a refusal is as fast as name resolution.
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(server.connections()).toBe(before)
  })

  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/latest/meta-data/',
    'https://10.0.0.1/jwks',
    'https://192.168.1.1/jwks',
    'https://100.64.0.1/jwks',
    'https://[fe80::1]/jwks',
    'https://[fc00::1]/jwks',
    'https://[64:ff9b::a9fe:a9fe]/jwks',
    'https://224.0.0.1/jwks',
    'https://255.255.255.255/jwks',
  ])('%s: refused at once (no connection attempt to time out)', async (url) => {
    const started = Date.now()
    await failure(production({ url }))
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('a name with one private address among public ones is refused whole', async () => {
    const fetcher = loopbackFetcher(async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ])
    const before = server.connections()
    await failure(fetcher({ url: `https://${TEST_HOST}:${server.port}/jwks` }))
    expect(server.connections()).toBe(before)
  })

  it('a name that resolves to nothing, or to something that is not an address, fails', async () => {
    await failure(loopbackFetcher(async () => [])({ url: `https://${TEST_HOST}/jwks` }))
    await failure(
      loopbackFetcher(async () => [{ address: 'evil.example', family: 4 }])({
        url: `https://${TEST_HOST}/jwks`,
      }),
    )
  })
})

describe('https only, no credentials, no redirects', () => {
  it.each([
    ['http', (port: number) => `http://${TEST_HOST}:${port}/jwks`],
    ['a URL with credentials', (port: number) => `https://user:pw@${TEST_HOST}:${port}/jwks`],
    ['a relative URL', () => '/jwks'],
    ['not a URL', () => 'not a url'],
    ['file:', () => 'file:///etc/passwd'],
  ])('%s is refused before any connection', async (_, url) => {
    const before = server.connections()
    await failure(loopbackFetcher()({ url: url(server.port) }))
    expect(server.connections()).toBe(before)
  })

  it.each([
    ['302', '/redirect'],
    ['308', '/permanent-redirect'],
  ])('a %s redirect is a failure, and its target is not fetched', async (_, path) => {
    const before = server.requests('/jwks')
    await failure(loopbackFetcher()({ url: `https://${TEST_HOST}:${server.port}${path}` }))
    expect(server.requests(path)).toBeGreaterThan(0)
    expect(server.requests('/jwks')).toBe(before)
  })
})

describe('the body is capped', () => {
  it.each([
    ['1 MiB sent chunked', '/mebibyte'],
    ['1 MiB announced by Content-Length', '/declared-mebibyte'],
  ])('%s against the 64 KiB default is a failure', async (_, path) => {
    await failure(loopbackFetcher()({ url: `https://${TEST_HOST}:${server.port}${path}` }))
  })

  it('a Content-Length over the cap is refused at the headers, before any body arrives', async () => {
    const started = Date.now()
    await failure(
      loopbackFetcher()({
        url: `https://${TEST_HOST}:${server.port}/announced-mebibyte`,
        timeoutMs: 3_000,
      }),
    )
    expect(Date.now() - started).toBeLessThan(1_500)
  })

  it('a body of exactly maxBytes is accepted; one byte more is a failure', async () => {
    const fetcher = loopbackFetcher()
    const base = `https://${TEST_HOST}:${server.port}`
    const exact = await fetcher({ url: `${base}/exactly-1000`, maxBytes: 1000 })
    expect(exact.body.byteLength).toBe(1000)
    await failure(fetcher({ url: `${base}/exactly-1001`, maxBytes: 1000 }))
  })
})

describe('one deadline covers the whole exchange', () => {
  it.each([
    ['a server that trickles a byte every 100 ms', '/trickle'],
    ['a server that never answers', '/silent'],
  ])('%s fails at the timeout', async (_, path) => {
    const started = Date.now()
    await failure(
      loopbackFetcher()({ url: `https://${TEST_HOST}:${server.port}${path}`, timeoutMs: 500 }),
    )
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(450)
    expect(elapsed).toBeLessThan(2_000)
  })

  it("the caller's signal aborts the fetch", async () => {
    const controller = new AbortController()
    const pending = loopbackFetcher()({
      url: `https://${TEST_HOST}:${server.port}/silent`,
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()
    await failure(pending)
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})

describe('the success path (a public address stood in for by the test seam)', () => {
  it('answers with status, headers and the body bytes; Accept defaults to application/json', async () => {
    const result = await loopbackFetcher()({ url: `https://${TEST_HOST}:${server.port}/echo` })
    expect(result.status).toBe(200)
    expect(result.headers.get('x-answer')).toBe('yes')
    expect(JSON.parse(text(result))).toEqual({
      accept: 'application/json',
      host: `${TEST_HOST}:${server.port}`,
    })
  })

  it('sends the accepted media types the caller names', async () => {
    const result = await loopbackFetcher()({
      url: `https://${TEST_HOST}:${server.port}/echo`,
      accept: ['application/jwk-set+json', 'application/json'],
    })
    expect(JSON.parse(text(result))).toMatchObject({
      accept: 'application/jwk-set+json, application/json',
    })
  })

  it('a status other than a redirect is the caller’s to judge, not a failure', async () => {
    const result = await loopbackFetcher()({ url: `https://${TEST_HOST}:${server.port}/missing` })
    expect(result.status).toBe(404)
    expect(text(result)).toBe('no such key set')
  })

  it('an IP literal the seam allows is fetched, its certificate checked against the IP', async () => {
    const result = await loopbackFetcher()({ url: `https://127.0.0.1:${server.port}/jwks` })
    expect(text(result)).toBe(JWKS)
  })
})

describe('DNS pinning: the name is resolved once and the connection goes to that address', () => {
  it('the resolver is asked once; the connection uses its answer, never a second lookup', async () => {
    let calls = 0
    // A rebinding name: public-looking first (the seam's 127.0.0.1), something else afterwards.
    // Had the connection looked the name up again (node's own dns.lookup, or this resolver),
    // it would have gone to 127.0.0.2, where nothing listens, or failed on .test.
    const fetcher = loopbackFetcher(async () => {
      calls += 1
      return [{ address: calls === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }]
    })
    const result = await fetcher({ url: `https://${TEST_HOST}:${server.port}/jwks` })
    expect(text(result)).toBe(JWKS)
    expect(calls).toBe(1)
  })

  it('the host name is sent as SNI although the connection goes to an address', async () => {
    await loopbackFetcher()({ url: `https://${TEST_HOST}:${server.port}/jwks` })
    expect(server.lastServername()).toBe(TEST_HOST)
  })
})

describe('TLS is verified against the host name and the trusted roots', () => {
  it('a certificate for another name is refused (the pinned address does not excuse it)', async () => {
    const fetcher = loopbackFetcher(async () => [{ address: '127.0.0.1', family: 4 }])
    const before = server.requests('/jwks')
    await failure(fetcher({ url: `https://other.registrar.test:${server.port}/jwks` }))
    expect(server.requests('/jwks')).toBe(before)
  })

  it('a certificate from a CA the fetcher does not trust is refused', async () => {
    const before = server.requests('/jwks')
    await failure(
      loopbackFetcher(
        loopbackResolver(),
        OTHER_CA,
      )({
        url: `https://${TEST_HOST}:${server.port}/jwks`,
      }),
    )
    expect(server.requests('/jwks')).toBe(before)
  })

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 does not turn verification off', async () => {
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
    try {
      await failure(
        loopbackFetcher(
          loopbackResolver(),
          OTHER_CA,
        )({
          url: `https://${TEST_HOST}:${server.port}/jwks`,
        }),
      )
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved
    }
  })
})

describe('every failure is the same error, whatever its kind', () => {
  it('refused address, refused scheme, redirect, size, time and TLS failures read alike', async () => {
    const fetcher = loopbackFetcher()
    const base = `https://${TEST_HOST}:${server.port}`
    const errors = await Promise.all([
      failure(production({ url: `https://127.0.0.1:${server.port}/jwks` })),
      failure(fetcher({ url: `http://${TEST_HOST}:${server.port}/jwks` })),
      failure(fetcher({ url: `${base}/redirect` })),
      failure(fetcher({ url: `${base}/mebibyte` })),
      failure(fetcher({ url: `${base}/silent`, timeoutMs: 200 })),
      failure(loopbackFetcher(loopbackResolver(), OTHER_CA)({ url: `${base}/jwks` })),
    ])
    for (const error of errors) {
      expect(error.name).toBe('FetchFailedError')
      expect(error.message).toBe('the fetch failed')
    }
    // The reason stays on the cause, for the server's log.
    expect(String(errors[0]?.cause)).toContain('loopback')
  })

  it('the opt-in is needed for loopback: without it the same server is refused', async () => {
    const withoutAllow = createSafeFetcher({
      [safeFetchTestSeam]: { allowAddresses: [], ca: OTHER_CA, resolve: loopbackResolver() },
    })
    const before = server.connections()
    await failure(withoutAllow({ url: `https://${TEST_HOST}:${server.port}/jwks` }))
    expect(server.connections()).toBe(before)
  })
})

describe('outboundFetch.allowPrivateAddresses: the operator opts in to special-use addresses', () => {
  // The seam supplies only the test CA and the resolver here: it lets no address through.
  function optedIn(allow: boolean | readonly string[]): Fetcher {
    return createSafeFetcher({
      allowPrivateAddresses: parseAddressAllowList(allow),
      [safeFetchTestSeam]: { allowAddresses: [], ca: TEST_CA, resolve: loopbackResolver() },
    })
  }

  it.each([
    // [allow, host, reached]
    [['127.0.0.1/32'], 'name', true],
    [['127.0.0.1/32'], 'literal', true],
    [['127.0.0.0/8'], 'literal', true],
    [[TEST_HOST], 'name', true],
    [[TEST_HOST.toUpperCase()], 'name', true],
    [true, 'name', true],
    [true, 'literal', true],
    // A listed name admits that name only, not the address it resolves to under another name.
    [[TEST_HOST], 'literal', false],
    [['10.0.0.0/8', 'fd00::/8'], 'name', false],
    [['127.0.0.2/32'], 'literal', false],
    [false, 'name', false],
    [[], 'literal', false],
  ] as const)('%j, %s host: reached %s', async (allow, host, reached) => {
    const hostname = host === 'name' ? TEST_HOST : '127.0.0.1'
    const fetch = optedIn(allow)({ url: `https://${hostname}:${server.port}/jwks` })
    if (reached) {
      const result = await fetch
      expect(result.status).toBe(200)
      expect(new TextDecoder().decode(result.body)).toBe(JWKS)
    } else {
      const before = server.connections()
      const error = await failure(fetch)
      expect(String(error.cause)).toContain('loopback')
      expect(server.connections()).toBe(before)
    }
  })

  it('every other rule still holds: https only, no redirects, the size cap, the CA', async () => {
    const fetcher = optedIn(['127.0.0.1/32'])
    const base = `https://${TEST_HOST}:${server.port}`
    await failure(fetcher({ url: `http://${TEST_HOST}:${server.port}/jwks` }))
    await failure(fetcher({ url: `${base}/redirect` }))
    await failure(fetcher({ url: `${base}/mebibyte` }))
    const untrusted = createSafeFetcher({
      allowPrivateAddresses: parseAddressAllowList(true),
      [safeFetchTestSeam]: { allowAddresses: [], ca: OTHER_CA, resolve: loopbackResolver() },
    })
    await failure(untrusted({ url: `${base}/jwks` }))
  })
})
