import { OAuthError, quote } from '../../errors.js'

/**
 * The parameters of a token, revocation or introspection request, read the way OAuth 2.1 §3.2
 * asks (RFC 6749 §3.2 says the same of the token endpoint): a parameter sent without a value is
 * treated as omitted, unknown parameters are ignored, and a parameter must not be included more
 * than once. `resource` is the exception: RFC 8707 §2 lets it repeat.
 */
export interface RequestParameters {
  /** The value, or null when absent or empty. */
  get(name: string): string | null
  /** Every non-empty value of a parameter that may repeat. */
  getAll(name: string): string[]
}

const MAY_REPEAT: ReadonlySet<string> = new Set(['resource'])

export function readRequestParameters(form: URLSearchParams): RequestParameters {
  const seen = new Set<string>()
  for (const [name, value] of form) {
    if (value === '' || MAY_REPEAT.has(name)) continue
    // OAuth 2.1 §3.2: "Request and response parameters MUST NOT be included more than once."
    if (seen.has(name)) {
      throw new OAuthError('invalid_request', `parameter ${quote(name)} is included more than once`)
    }
    seen.add(name)
  }
  return {
    get(name) {
      for (const [key, value] of form) if (key === name && value !== '') return value
      return null
    },
    getAll(name) {
      return form.getAll(name).filter((value) => value !== '')
    },
  }
}
