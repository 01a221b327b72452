import { OAuthError, quote } from '../../errors.js'

/** What the client asked of the user interaction (OpenID Connect Core §3.1.2.1 `prompt`). */
export interface Prompt {
  /** Show nothing: answer at once, or fail with login_required / consent_required. */
  readonly none: boolean
  /** Ask for the password again even when a session exists. */
  readonly login: boolean
  /** Show the consent page even when consent was remembered or the client is trusted. */
  readonly consent: boolean
}

// select_account asks to choose among sessions; a browser here holds at most one, so it is
// always satisfied and accepted without effect.
const KNOWN: ReadonlySet<string> = new Set(['none', 'login', 'consent', 'select_account'])

/** A space-delimited prompt value; unknown values and `none` with others → invalid_request. */
export function parsePrompt(value: string | null): Prompt {
  const values = value === null ? [] : value.split(' ').filter((v) => v !== '')
  const unknown = values.filter((v) => !KNOWN.has(v))
  if (unknown.length > 0) {
    throw new OAuthError(
      'invalid_request',
      `prompt value ${quote(unknown.join(' '))} is not supported; use none, login or consent`,
    )
  }
  const none = values.includes('none')
  // OpenID Connect Core §3.1.2.1: "If this parameter contains none with any other value, an
  // error is returned."
  if (none && values.some((v) => v !== 'none')) {
    throw new OAuthError('invalid_request', 'prompt none must not be combined with other values')
  }
  return { none, login: values.includes('login'), consent: values.includes('consent') }
}

/** The prompt value with `login` removed, once the user has just signed in; null when empty. */
export function withoutLoginPrompt(value: string | null): string | null {
  if (value === null) return null
  const rest = value.split(' ').filter((v) => v !== '' && v !== 'login')
  return rest.length === 0 ? null : rest.join(' ')
}
