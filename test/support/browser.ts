import { createHash, randomBytes } from 'node:crypto'
import type { ClientMetadata } from '../../src/core/registration/client-metadata.js'
import { createAdminClient } from '../../src/core/registration/create-admin-client.js'
import type { ClientRecord, Store } from '../../src/core/store/store.js'
import { ADMIN_POLICY } from './client-records.js'
import { nowSeconds } from './http-helpers.js'

/** What a test sees of one answer; redirects are never followed (`redirect: 'manual'`). */
export interface PageResult {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The Location header, or null. */
  readonly location: string | null
}

/**
 * A browser reduced to what the authorization pages need: a cookie jar filled from Set-Cookie
 * (Max-Age=0 deletes), sent back on every request, and form POSTs that carry the issuer's
 * Origin as a browser would. Redirects are returned, not followed.
 */
export class Browser {
  readonly origin: string
  readonly #cookies = new Map<string, string>()

  constructor(origin: string) {
    this.origin = origin
  }

  cookie(name: string): string | null {
    return this.#cookies.get(name) ?? null
  }

  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value)
  }

  forget(name: string): void {
    this.#cookies.delete(name)
  }

  async get(url: string, headers: Readonly<Record<string, string>> = {}): Promise<PageResult> {
    return this.#send(url, { method: 'GET', headers })
  }

  /** POSTs a form; Origin is the issuer's unless `headers` says otherwise (null: no Origin). */
  async post(
    url: string,
    form: Readonly<Record<string, string>> | URLSearchParams,
    headers: Readonly<Record<string, string | null>> = {},
  ): Promise<PageResult> {
    const sent: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: this.origin,
    }
    for (const [name, value] of Object.entries(headers)) {
      if (value === null) delete sent[name]
      else sent[name] = value
    }
    const body = form instanceof URLSearchParams ? form : new URLSearchParams({ ...form })
    return this.#send(url, { method: 'POST', headers: sent, body: body.toString() })
  }

  async #send(
    url: string,
    init: {
      readonly method: string
      readonly headers: Readonly<Record<string, string>>
      readonly body?: string
    },
  ): Promise<PageResult> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(new URL(url, this.origin), {
      method: init.method,
      headers: { ...(cookie === '' ? {} : { Cookie: cookie }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')
      if (expired || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get('location'),
    }
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
}

function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
}

/** The hidden inputs of the page's first form, unescaped: the CSRF token and pending request. */
export function hiddenInputs(page: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const match of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    out[unescapeHtml(match[1] ?? '')] = unescapeHtml(match[2] ?? '')
  }
  return out
}

/** The action of the page's first form. */
export function formAction(page: string): string | null {
  const match = /<form method="post" action="([^"]*)">/.exec(page)
  return match === null ? null : unescapeHtml(match[1] ?? '')
}

/** An RFC 7636 verifier and its S256 challenge. */
export function pkcePair(): { readonly verifier: string; readonly challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** `${issuer}/authorize?…` for a code request with a fresh PKCE challenge, overridable. */
export function authorizeUrl(
  issuer: string,
  params: Readonly<Record<string, string>> | URLSearchParams,
): string {
  const query =
    params instanceof URLSearchParams
      ? params
      : new URLSearchParams({
          response_type: 'code',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          ...params,
        })
  return `${issuer}/authorize?${query}`
}

/** The query (or fragment) parameters of a redirect's Location. */
export function redirectParams(location: string | null, part: 'query' | 'fragment' = 'query') {
  if (location === null) throw new Error('no Location header')
  const url = new URL(location)
  return new URLSearchParams(part === 'query' ? url.search : url.hash.slice(1))
}

/**
 * Stores a client as an administrator would (`registrar client create`, through
 * createAdminClient: the same validation, an administrator's policy), for shapes open
 * registration refuses (no authorization_code grant, implicit, trusted).
 */
export async function insertClient(
  store: Store,
  metadata: Partial<ClientMetadata>,
  options: { readonly trusted?: boolean } = {},
): Promise<ClientRecord> {
  const { record } = await createAdminClient(
    store,
    {
      metadata: {
        redirect_uris: ['https://client.example/callback'],
        token_endpoint_auth_method: 'none',
        scope: 'read write',
        ...metadata,
      },
      ...options,
    },
    ADMIN_POLICY,
    nowSeconds(),
  )
  return record
}
