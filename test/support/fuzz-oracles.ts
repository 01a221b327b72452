import { request } from 'node:http'
import * as fc from 'fast-check'
import { expect } from 'vitest'
import type { OAuthErrorCode } from '../../src/errors.js'
import { ERROR_CODES } from '../../src/errors.js'
import { fuzzRuns, INJECTED_MARKUP } from './fuzz-values.js'
import type { HttpResult } from './http-helpers.js'
import { OAUTH_ERROR_CHARS, postJson, REDIRECT_URI, send } from './http-helpers.js'

/**
 * What every answer of a fuzzed request must be, whatever the request held (test/http/fuzz-*):
 * never a 5xx, an RFC 6749 §5.2 error object from a JSON endpoint, a page from a browser
 * endpoint, and a server that still serves afterwards.
 */

/** An answer, redirects not followed: a browser endpoint's 302 is part of what is checked. */
export interface FuzzAnswer extends HttpResult {
  readonly location: string | null
}

/**
 * Sends one fuzzed request; never follows a redirect. Over node:http rather than fetch, whose
 * 16 KiB limit on response headers would turn a long Location into a client-side exception:
 * here the answer is read whole (up to 1 MiB of headers) and judged by the oracles.
 */
export function exchange(
  url: string,
  init: Omit<NonNullable<Parameters<typeof send>[1]>, 'body'> & { readonly body?: string } = {},
): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const options = { method: init.method ?? 'GET', headers: init.headers, maxHeaderSize: 2 ** 20 }
    const sent = request(url, options, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        try {
          resolve(answerOf(response.statusCode ?? 0, response.rawHeaders, Buffer.concat(chunks)))
        } catch (error) {
          reject(error)
        }
      })
    })
    sent.on('error', reject)
    sent.end(init.body)
  })
}

function answerOf(status: number, rawHeaders: readonly string[], body: Buffer): FuzzAnswer {
  const headers = new Headers()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    headers.append(rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '')
  }
  const text = body.toString('utf8')
  // A body that says it is JSON must be JSON: a parse error here fails the property.
  const isJson = /^application\/json/.test(headers.get('content-type') ?? '')
  const value: unknown = isJson && text !== '' ? JSON.parse(text) : null
  return {
    status,
    headers,
    text,
    json:
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null,
    location: headers.get('location'),
  }
}

/**
 * The one 5xx a fuzzed request may meet: the database briefly unreachable (render.ts), 503 with
 * Retry-After. Nothing in these suites should cause it; it is told apart from a crash.
 */
function isDeliberateUnavailable(result: HttpResult): boolean {
  return result.status === 503 && /^\d+$/.test(result.headers.get('retry-after') ?? '')
}

// A code's status may differ from ERROR_CODES only where registrar says why: 409 a lost update
// race (update-client.ts), 413 a body over the limit, 415 a wrong Content-Type (read-*-body.ts).
const STATUS_OVERRIDES: ReadonlySet<number> = new Set([409, 413, 415])

/** The request, for the failure message: fast-check prints the input, this adds the answer. */
function describeAnswer(input: string, result: HttpResult): string {
  return `${input.slice(0, 2000)}\n→ ${result.status} ${result.text.slice(0, 600)}`
}

/**
 * A JSON endpoint's answer (register, client configuration, token, revoke, introspect): no 5xx;
 * no-store on everything (RFC 6749 §5.1, docs/decisions.md A27); every 4xx a JSON object whose
 * error is a code registrar defines (ERROR_CODES, with its status) and whose error_description
 * keeps to the RFC 6749 §5.2 character set; a 429 says when to retry (RFC 6585 §4).
 */
export function expectJsonAnswer(result: HttpResult, input: string): void {
  const context = describeAnswer(input, result)
  if (isDeliberateUnavailable(result)) return
  expect(result.status, context).toBeLessThan(500)
  expect(result.headers.get('cache-control'), context).toBe('no-store')
  if (result.status < 400) return
  expect(result.headers.get('content-type'), context).toMatch(/^application\/json/)
  const code = result.json?.error
  expect(Object.keys(ERROR_CODES), context).toContain(code)
  const description = result.json?.error_description
  expect(typeof description, context).toBe('string')
  expect(description, context).toMatch(OAUTH_ERROR_CHARS)
  if (result.status !== ERROR_CODES[code as OAuthErrorCode].status) {
    expect([...STATUS_OVERRIDES], context).toContain(result.status)
  }
  if (result.status === 429) expect(result.headers.get('retry-after'), context).toMatch(/^\d+$/)
}

/** Where a browser endpoint may send the browser: see redirectsWithin. */
export interface RedirectTargets {
  readonly issuer: string
  allows(location: string): boolean
}

/**
 * A browser endpoint's answer (authorize, login, consent, logout): no 5xx; a redirect (302 after
 * a GET, 303 after a POST) to a place `targets` allows, never anywhere a request names (RFC 9700
 * §4.11.2: no open redirector); anything else an HTML page that cannot be framed (RFC 9700 §4.16) and shows no injected
 * markup unescaped.
 */
export function expectPageAnswer(
  result: FuzzAnswer,
  input: string,
  targets: RedirectTargets,
): void {
  const context = describeAnswer(input, result)
  if (isDeliberateUnavailable(result)) return
  expect(result.status, context).toBeLessThan(500)
  if (result.status >= 300 && result.status < 400) {
    expect([302, 303], context).toContain(result.status)
    const location = result.location ?? ''
    expect(targets.allows(location), `redirect to ${location.slice(0, 300)}\n${context}`).toBe(true)
    return
  }
  expect(result.headers.get('content-type'), context).toBe('text/html; charset=utf-8')
  expect(result.text.startsWith('<!doctype html>'), context).toBe(true)
  expect(result.headers.get('x-frame-options'), context).toBe('DENY')
  expect(result.headers.get('content-security-policy'), context).toContain("frame-ancestors 'none'")
  expect(result.text.includes(INJECTED_MARKUP.slice(0, -1)), context).toBe(false)
}

/**
 * Redirects into the issuer itself, or to one of `registered` redirect URIs (scheme, host, port
 * and path; any port for a loopback http URI, RFC 8252 §7.3).
 */
export function redirectsWithin(issuer: string, registered: readonly string[]): RedirectTargets {
  const targets = registered.map((uri) => new URL(uri))
  return {
    issuer,
    allows(location) {
      if (location.startsWith(`${issuer}/`)) return true
      const url = URL.parse(location)
      if (url === null) return false
      return targets.some((target) => {
        const loopback =
          target.protocol === 'http:' && ['127.0.0.1', '[::1]'].includes(target.hostname)
        return (
          url.protocol === target.protocol &&
          url.hostname === target.hostname &&
          url.pathname === target.pathname &&
          (loopback || url.port === target.port)
        )
      })
    },
  }
}

/** After a property: the server answers its health probe and registers a client. */
async function expectStillServing(base: string): Promise<void> {
  const health = await send(`${base}/healthz`)
  expect(health.status, health.text).toBe(200)
  const registration = await postJson(base, { redirect_uris: [REDIRECT_URI] })
  expect(registration.status, registration.text).toBe(201)
}

/**
 * Runs one fuzz property over a real server: `examples` as given, then `runs` random cases (see
 * fuzzRuns), each checked by `check`; afterwards the server must still serve
 * (expectStillServing). A failure prints its seed and path, and FUZZ_SEED with FUZZ_PATH replay
 * it: `FUZZ_SEED=-197445182 FUZZ_PATH=9:1 npx vitest run test/http/fuzz-token.test.ts -t JWTs`.
 */
export async function fuzzServer<T>(
  base: string,
  arbitrary: fc.Arbitrary<T>,
  runs: number,
  check: (value: T) => Promise<void>,
  examples: readonly T[] = [],
): Promise<void> {
  const { FUZZ_SEED: seed, FUZZ_PATH: path } = process.env
  await fc.assert(fc.asyncProperty(arbitrary, check), {
    numRuns: fuzzRuns(runs),
    examples: examples.map((example): [T] => [example]),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
  })
  await expectStillServing(base)
}
