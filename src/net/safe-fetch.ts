import { lookup } from 'node:dns/promises'
import type { IncomingMessage } from 'node:http'
import { request } from 'node:https'
import type { LookupFunction } from 'node:net'
import type { IpAddress } from '../core/address/ip-address.js'
import { parseIpAddress } from '../core/address/ip-address.js'
import type { AddressAllowList } from '../core/fetch/address-allow-list.js'
import {
  allowsAddress,
  allowsHost,
  NO_PRIVATE_ADDRESSES,
} from '../core/fetch/address-allow-list.js'
import type { Fetcher, FetchRequest, FetchResult } from '../core/fetch/fetcher.js'
import {
  DEFAULT_FETCH_MAX_BYTES,
  DEFAULT_FETCH_TIMEOUT_MS,
  FetchFailedError,
} from '../core/fetch/fetcher.js'
import { specialUseRange } from '../core/fetch/special-use-addresses.js'

/**
 * The Fetcher behind every server-side fetch of a URL someone else chose (a client's jwks_uri,
 * a software statement issuer's keys). A client picks its jwks_uri, and the token endpoint needs
 * no sign-in, so an unguarded fetch lets anyone make the server connect anywhere: to its own
 * loopback ports, its private network, the cloud metadata service, and time the answer (blind
 * SSRF). So:
 * - https only, and no credentials in the URL;
 * - the host is resolved once, every address it resolves to must be public
 *   (core/fetch/special-use-addresses.ts), and the connection goes to that checked address: no
 *   second lookup a DNS rebind could answer differently. TLS still checks the certificate
 *   against the host name, which is also sent as SNI;
 * - no redirect is followed (a 3xx is a failure: its target was never checked);
 * - one deadline covers resolution, connection, TLS and the whole body, and the body has a cap;
 * - every failure is the one FetchFailedError, whatever went wrong.
 * The one exception is the operator's: `outboundFetch.allowPrivateAddresses` lets a special-use
 * address through when `true`, when the URL's host name is listed, or when the address falls in
 * a listed range (docs/decisions.md B6). Certificates are checked against Node's default CAs,
 * which NODE_EXTRA_CA_CERTS extends for an internal CA.
 */

const DEFAULT_ACCEPT: readonly string[] = ['application/json']
const HTTPS_PORT = 443

export interface ResolvedAddress {
  readonly address: string
  readonly family: number
}

/** Every address a host name resolves to (node:dns lookup with `all`), in the resolver's order. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>

/**
 * Test-only: lets a test reach a local https server. Keyed by a symbol that the package does not
 * export, so no configuration or caller outside this repository can name it.
 */
export const safeFetchTestSeam: unique symbol = Symbol('registrar.safeFetch.testSeam')

export interface SafeFetchTestSeam {
  /** Addresses let through although special-use: the test server's, 127.0.0.1. */
  readonly allowAddresses: readonly string[]
  /** The CA (PEM) the test server's certificate chains to; replaces Node's default CAs. */
  readonly ca: string
  /** Answers host names instead of the system resolver. */
  readonly resolve?: Resolver
}

export interface SafeFetcherOptions {
  /** `outboundFetch.allowPrivateAddresses`, parsed. @default NO_PRIVATE_ADDRESSES */
  readonly allowPrivateAddresses?: AddressAllowList
  readonly [safeFetchTestSeam]?: SafeFetchTestSeam
}

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true })

export function createSafeFetcher(options: SafeFetcherOptions = {}): Fetcher {
  const seam = options[safeFetchTestSeam]
  const resolve = seam?.resolve ?? systemResolver
  const seamAddresses: ReadonlySet<string> = new Set(seam?.allowAddresses ?? [])
  const allowList = options.allowPrivateAddresses ?? NO_PRIVATE_ADDRESSES
  const allowed = (hostname: string, address: string, ip: IpAddress): boolean =>
    seamAddresses.has(address) || allowsHost(allowList, hostname) || allowsAddress(allowList, ip)

  return async function safeFetch(fetchRequest: FetchRequest): Promise<FetchResult> {
    const timeoutMs = fetchRequest.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
    const deadline = new AbortController()
    const timer = setTimeout(
      () => deadline.abort(new Error(`no complete response within ${timeoutMs} ms`)),
      timeoutMs,
    )
    const outer = fetchRequest.signal
    const onOuterAbort = () => deadline.abort(new Error('aborted by the caller'))
    if (outer?.aborted === true) onOuterAbort()
    else outer?.addEventListener('abort', onOuterAbort, { once: true })
    try {
      const url = checkUrl(fetchRequest.url)
      const address = await untilAborted(resolvePublic(url, resolve, allowed), deadline.signal)
      return await get(url, address, {
        accept: fetchRequest.accept ?? DEFAULT_ACCEPT,
        maxBytes: fetchRequest.maxBytes ?? DEFAULT_FETCH_MAX_BYTES,
        signal: deadline.signal,
        ca: seam?.ca,
      })
    } catch (cause) {
      throw new FetchFailedError(cause)
    } finally {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuterAbort)
    }
  }
}

function checkUrl(text: string): URL {
  const url = URL.parse(text)
  if (url === null) throw new Error('not an absolute URL')
  if (url.protocol !== 'https:') throw new Error(`scheme ${url.protocol} refused: https only`)
  if (url.username !== '' || url.password !== '') throw new Error('credentials in the URL')
  return url
}

/**
 * The one address to connect to: the IP literal itself, or the host's first address once every
 * address it resolves to is public. A name answering with any special-use address is refused
 * whole: it is misconfigured or rebinding, and picking the public one would make the outcome
 * depend on the order of the answers.
 */
async function resolvePublic(
  url: URL,
  resolve: Resolver,
  allowed: (hostname: string, address: string, ip: IpAddress) => boolean,
): Promise<ResolvedAddress> {
  const literal = parseIpAddress(url.hostname)
  const addresses: readonly ResolvedAddress[] =
    literal === null
      ? await resolve(url.hostname)
      : [{ address: url.hostname.replace(/^\[|\]$/g, ''), family: literal.version }]
  const first = addresses[0]
  if (first === undefined) throw new Error(`${url.hostname} resolves to no address`)
  for (const { address } of addresses) {
    const ip = parseIpAddress(address)
    if (ip === null) throw new Error(`${url.hostname} resolved to ${address}, not an address`)
    const special = specialUseRange(ip)
    if (special !== null && !allowed(url.hostname, address, ip)) {
      throw new Error(`${address} is a special-use address (${special.name}, ${special.reference})`)
    }
  }
  return first
}

/** The lookup node would do while connecting, answered with the address already checked. */
function pinnedLookup(hostname: string, pinned: ResolvedAddress): LookupFunction {
  return (name, options, callback) => {
    if (name !== hostname) {
      callback(new Error(`unexpected lookup of ${name}`), '', 0)
    } else if (options.all === true) {
      callback(null, [{ address: pinned.address, family: pinned.family }])
    } else {
      callback(null, pinned.address, pinned.family)
    }
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    work.then(resolve, reject)
  })
}

function get(
  url: URL,
  address: ResolvedAddress,
  limits: {
    readonly accept: readonly string[]
    readonly maxBytes: number
    readonly signal: AbortSignal
    readonly ca: string | undefined
  },
): Promise<FetchResult> {
  return new Promise<FetchResult>((resolve, reject) => {
    const { signal, maxBytes } = limits
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const isLiteral = parseIpAddress(url.hostname) !== null
    const outgoing = request({
      // A literal is connected to as is; a name goes through pinnedLookup, and node sends it as
      // SNI and checks the certificate against it (neither is done for an IP literal).
      host: isLiteral ? address.address : url.hostname,
      port: url.port === '' ? HTTPS_PORT : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: {
        Host: url.host,
        Accept: limits.accept.join(', '),
        'Accept-Encoding': 'identity',
        'User-Agent': 'registrar',
      },
      lookup: pinnedLookup(url.hostname, address),
      // A fresh connection each time: a pooled socket was checked for another fetch, if at all.
      agent: false,
      // Explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn it off.
      rejectUnauthorized: true,
      ...(limits.ca === undefined ? {} : { ca: limits.ca }),
    })
    const fail = (reason: unknown) => {
      outgoing.destroy()
      reject(reason)
    }
    signal.addEventListener('abort', () => fail(signal.reason), { once: true })
    outgoing.on('error', fail)
    outgoing.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0
      // Its target was never checked, so a redirect is not followed, even to a public address.
      if (status >= 300 && status < 400) {
        fail(new Error(`redirect (${status}) not followed`))
        return
      }
      const declared = Number(response.headers['content-length'])
      if (Number.isFinite(declared) && declared > maxBytes) {
        fail(new Error(`content-length ${declared} exceeds ${maxBytes} bytes`))
        return
      }
      const chunks: Buffer[] = []
      let received = 0
      response.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > maxBytes) fail(new Error(`body exceeds ${maxBytes} bytes`))
        else chunks.push(chunk)
      })
      response.on('error', fail)
      response.on('close', () => {
        if (!response.complete) fail(new Error('the response ended before its body did'))
      })
      response.on('end', () => {
        try {
          const headers = new Headers()
          const raw = response.rawHeaders
          for (let index = 0; index + 1 < raw.length; index += 2) {
            headers.append(raw[index] ?? '', raw[index + 1] ?? '')
          }
          const body = Buffer.concat(chunks)
          resolve({
            status,
            headers,
            body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
          })
        } catch (error) {
          fail(error)
        }
      })
    })
    outgoing.end()
  })
}
