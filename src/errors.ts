/**
 * The one error type of registrar. Protocol code throws it for anything a client sent; the HTTP
 * layer renders it as `{"error", "error_description"}` with the status and headers it carries.
 * Mistakes in the host's configuration are not OAuthErrors: they throw TypeError at start-up.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_target'
  | 'not_found'
  | 'method_not_allowed'
  | 'rate_limited'
  | 'server_error'
  | 'temporarily_unavailable'

const STATUS_BY_CODE: Readonly<Record<OAuthErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_software_statement: 400,
  unapproved_software_statement: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_target: 400,
  not_found: 404,
  method_not_allowed: 405,
  rate_limited: 429,
  server_error: 500,
  temporarily_unavailable: 503,
}

export interface OAuthErrorOptions {
  /** Overrides the status that goes with the code (a 415 `invalid_client_metadata`, say). */
  readonly status?: number
  /** Extra response headers: `WWW-Authenticate`, `Retry-After`, `Allow`. */
  readonly headers?: Readonly<Record<string, string>>
  readonly cause?: unknown
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode
  readonly status: number
  /** Sent as error_description: says what to fix, never holds a secret or an internal detail. */
  readonly description: string
  readonly headers: Readonly<Record<string, string>>

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(
      `${code}: ${description}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'OAuthError'
    this.code = code
    this.status = options.status ?? STATUS_BY_CODE[code]
    this.description = description
    this.headers = options.headers ?? {}
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
    headers: {
      'WWW-Authenticate': tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer',
    },
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
