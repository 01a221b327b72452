import { expect } from 'vitest'

/** What a test sees of an HTTP answer: the raw text, and the JSON object when the body is one. */
export interface HttpResult {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The parsed body when it is a JSON object, else null. */
  readonly json: Record<string, unknown> | null
}

export type RawBody = string | Uint8Array | ReadableStream<Uint8Array>

/**
 * Sends one request and reads the whole answer. A ReadableStream body goes out with chunked
 * transfer encoding (`duplex: 'half'`); a Uint8Array body goes out with no Content-Type at all
 * unless one is given.
 */
export async function send(
  url: string,
  init: {
    readonly method?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: RawBody
  } = {},
): Promise<HttpResult> {
  const request: RequestInit & { duplex?: 'half' } = {
    method: init.method ?? 'GET',
    headers: { ...init.headers },
  }
  if (init.body !== undefined) {
    request.body = init.body
    if (init.body instanceof ReadableStream) request.duplex = 'half'
  }
  const response = await fetch(url, request)
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: parseObject(text) }
}

/** POSTs a raw body to `${base}/register` with the given headers (no Content-Type by default). */
export function postRaw(
  base: string,
  body: RawBody,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpResult> {
  return send(`${base}/register`, { method: 'POST', headers, body })
}

/** POSTs a JSON value to `${base}/register` as application/json. */
export function postJson(
  base: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpResult> {
  return postRaw(base, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers })
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/** Epoch seconds, as the server counts them. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** RFC 6749 §5.2: error and error_description use only %x20-21 / %x23-5B / %x5D-7E. */
export const OAUTH_ERROR_CHARS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/**
 * Asserts an RFC 7591 §3.2.2 error answer: the status, a JSON object body with the error code
 * and a string error_description, both within the RFC 6749 §5.2 character set.
 */
export function expectOAuthError(result: HttpResult, status: number, code: string): void {
  expect({ status: result.status, error: result.json?.error }, result.text).toEqual({
    status,
    error: code,
  })
  expect(result.headers.get('content-type')).toMatch(/^application\/json/)
  const description = result.json?.error_description
  expect(typeof description).toBe('string')
  expect(description).toMatch(OAUTH_ERROR_CHARS)
}

/** A string of the body's `client_id`, failing the test when there is none. */
export function clientIdOf(result: HttpResult): string {
  const id = result.json?.client_id
  if (typeof id !== 'string') throw new Error(`no client_id in ${result.status} ${result.text}`)
  return id
}

/** `depth` nested JSON arrays around a 1, built as text so no recursion is needed. */
export function deeplyNestedJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`
}

/** A confidential web client's redirect URI that every default policy accepts. */
export const REDIRECT_URI = 'https://client.example/callback'
