/**
 * The one error type of registrar. Protocol code throws it for anything a client sent; the HTTP
 * layer renders it as `{"error", "error_description"}` with the status, challenge and
 * Retry-After it carries as data. Mistakes in the host's configuration are not OAuthErrors:
 * they throw TypeError at start-up.
 */
export type OAuthErrorCode = keyof typeof ERROR_CODES

/**
 * Every code registrar puts on the wire, its status, and the specification that defines it:
 * RFC 6749 §4.1.2.1 and §5.2 (the base codes), RFC 6750 §3.1 (bearer tokens), RFC 7591 §3.2.2
 * (registration), RFC 8707 §2 (resource indicators), OpenID Connect Core §3.1.2.6 (prompt=none).
 * `not_found`, `method_not_allowed` and `rate_limited` are registrar's own: no specified code
 * means "no such path", "wrong method" or "slow down", and they are only sent where no OAuth
 * error vocabulary applies, with the HTTP status doing the work (docs/decisions.md B1).
 * errors.test.ts holds this table to the specifications.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, definedIn: 'RFC 6749 §5.2' },
  invalid_client: { status: 401, definedIn: 'RFC 6749 §5.2' },
  invalid_grant: { status: 400, definedIn: 'RFC 6749 §5.2' },
  unauthorized_client: { status: 400, definedIn: 'RFC 6749 §5.2' },
  unsupported_grant_type: { status: 400, definedIn: 'RFC 6749 §5.2' },
  unsupported_response_type: { status: 400, definedIn: 'RFC 6749 §4.1.2.1' },
  invalid_scope: { status: 400, definedIn: 'RFC 6749 §5.2' },
  access_denied: { status: 403, definedIn: 'RFC 6749 §4.1.2.1' },
  invalid_redirect_uri: { status: 400, definedIn: 'RFC 7591 §3.2.2' },
  invalid_client_metadata: { status: 400, definedIn: 'RFC 7591 §3.2.2' },
  invalid_software_statement: { status: 400, definedIn: 'RFC 7591 §3.2.2' },
  unapproved_software_statement: { status: 400, definedIn: 'RFC 7591 §3.2.2' },
  invalid_token: { status: 401, definedIn: 'RFC 6750 §3.1' },
  insufficient_scope: { status: 403, definedIn: 'RFC 6750 §3.1' },
  invalid_target: { status: 400, definedIn: 'RFC 8707 §2' },
  // Only ever redirected back to the client (authorize.ts), so the status is never sent.
  login_required: { status: 400, definedIn: 'OpenID Connect Core §3.1.2.6' },
  consent_required: { status: 400, definedIn: 'OpenID Connect Core §3.1.2.6' },
  server_error: { status: 500, definedIn: 'RFC 6749 §4.1.2.1' },
  temporarily_unavailable: { status: 503, definedIn: 'RFC 6749 §4.1.2.1' },
  not_found: { status: 404, definedIn: null },
  method_not_allowed: { status: 405, definedIn: null },
  rate_limited: { status: 429, definedIn: null },
} as const satisfies Record<string, { readonly status: number; readonly definedIn: string | null }>

export interface OAuthErrorOptions {
  /** Overrides the status that goes with the code (a 415 `invalid_request`, say). */
  readonly status?: number
  /**
   * The authentication challenge a 401 must carry (RFC 9110 §11.6.1): `Bearer
   * error="invalid_token"` (RFC 6750 §3), `Basic realm="…"` (RFC 6749 §5.2).
   */
  readonly challenge?: string
  /** Seconds until a retry makes sense (a rate limit, an outage): RFC 9110 §10.2.3. */
  readonly retryAfterSeconds?: number
  readonly cause?: unknown
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode
  readonly status: number
  /** Sent as error_description: says what to fix, never holds a secret or an internal detail. */
  readonly description: string
  /** Sent as WWW-Authenticate by the HTTP layer; null: none. */
  readonly challenge: string | null
  /** Sent as Retry-After by the HTTP layer; null: none. */
  readonly retryAfterSeconds: number | null

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(
      `${code}: ${description}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'OAuthError'
    this.code = code
    this.status = options.status ?? ERROR_CODES[code].status
    this.description = description
    this.challenge = options.challenge ?? null
    this.retryAfterSeconds = options.retryAfterSeconds ?? null
  }
}

export function invalidClientMetadata(description: string): OAuthError {
  return new OAuthError('invalid_client_metadata', description)
}

export function invalidRedirectUri(description: string): OAuthError {
  return new OAuthError('invalid_redirect_uri', description)
}

/**
 * RFC 6750 §3: a request without credentials gets a bare `Bearer` challenge; a request whose
 * token is missing, wrong, expired or used up gets `error="invalid_token"`.
 */
export function invalidBearerToken(description: string, tokenPresented: boolean): OAuthError {
  return new OAuthError('invalid_token', description, {
    challenge: tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer',
  })
}

/**
 * RFC 6749 §5.2 limits error_description to %x20-21 / %x23-5B / %x5D-7E: printable ASCII without
 * `"` and `\`. Descriptions quote what the client sent, so anything else is percent-encoded and
 * long values are cut, keeping the message readable and the header-safe alphabet intact.
 */
export function toErrorDescription(text: string): string {
  let out = ''
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0
    if (cp >= 0x20 && cp <= 0x7e && ch !== '"' && ch !== '\\') out += ch
    else
      for (const byte of utf8.encode(ch))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

// TextEncoder turns a lone surrogate into U+FFFD instead of throwing, as encodeURIComponent would.
const utf8 = new TextEncoder()

/** Quotes a client-supplied value inside a description, cut at 120 characters. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return `'${text.length > 120 ? `${text.slice(0, 117)}...` : text}'`
}
