/**
 * The parameters of an authorization request, read the way OAuth 2.1 §3.1 asks: parameters sent
 * without a value are treated as omitted, unknown ones are ignored, and none may appear more than
 * once, except `resource`, which RFC 8707 §2 lets repeat. A duplicate is not thrown at once:
 * whether it is shown on an error page or sent back to the client depends on whether the
 * redirect URI can be trusted yet (RFC 6749 §4.1.2.1), which the caller decides.
 */
export interface AuthorizationParameters {
  /** The value, or null when absent or empty; null too when duplicated (see `duplicates`). */
  get(name: string): string | null
  /** Every non-empty value of a parameter that may repeat (`resource`). */
  getAll(name: string): string[]
  /** Names of the parameters sent more than once with a value, in first-seen order. */
  readonly duplicates: readonly string[]
  /** The request again as `application/x-www-form-urlencoded`, to carry it through a form. */
  toQuery(): string
}

const MAY_REPEAT: ReadonlySet<string> = new Set(['resource'])

export function readAuthorizationParameters(source: URLSearchParams): AuthorizationParameters {
  const values = new Map<string, string>()
  const duplicates: string[] = []
  for (const [name, value] of source) {
    if (value === '' || MAY_REPEAT.has(name)) continue
    if (values.has(name)) {
      if (!duplicates.includes(name)) duplicates.push(name)
      continue
    }
    values.set(name, value)
  }
  const kept = new URLSearchParams([...source].filter(([, value]) => value !== ''))
  return {
    get: (name) => (duplicates.includes(name) ? null : (values.get(name) ?? null)),
    getAll: (name) => source.getAll(name).filter((value) => value !== ''),
    duplicates,
    toQuery: () => kept.toString(),
  }
}
