import { invalidClientMetadata, quote } from '../../errors.js'
import { DANGEROUS_SCHEMES } from '../redirect-uri/dangerous-schemes.js'
import { isLoopbackRedirect } from '../redirect-uri/is-loopback-redirect.js'
import { parseAbsoluteUri } from '../redirect-uri/parse-absolute-uri.js'
import type { LocalizableField, LocalizedKey } from './client-metadata.js'
import { LOCALIZABLE_FIELDS } from './client-metadata.js'
import { normalizeLanguageTag } from './language-tag.js'

const LOCALIZABLE: ReadonlySet<string> = new Set(LOCALIZABLE_FIELDS)

// C0 controls, DEL, the C1 range, the line and paragraph separators (U+2028-2029) and the
// bidirectional controls (U+200E-200F, U+202A-202E, U+2066-2069): a name is shown to users on
// the consent page, where line breaks and text-direction overrides are spoofing tools
// ("Trusted App\u202Eevil" renders reversed), never part of a real name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/

/** client_name: shown to the user as is (RFC 7591 §2.2 ¶4), so it must be printable text. */
export function checkClientName(value: string, field: string): void {
  if (CONTROL.test(value))
    throw invalidClientMetadata(`${field} must not contain control characters`)
  if (value.trim() === '') throw invalidClientMetadata(`${field} must not be blank`)
}

/**
 * client_uri, logo_uri, tos_uri, policy_uri: links and an image on the consent page. RFC 7591
 * §5 warns they may point anywhere; at least they must be absolute web URLs, over https unless
 * the server accepts http (development), so no script or data URI ever reaches the page.
 */
export function checkWebUri(value: string, field: string, requireHttps: boolean): void {
  const url = parseAbsoluteUri(value, field, invalidClientMetadata)
  if (
    DANGEROUS_SCHEMES.has(url.protocol) ||
    (url.protocol !== 'https:' && url.protocol !== 'http:')
  ) {
    throw invalidClientMetadata(`${field} must be an https URL: ${quote(value)}`)
  }
  if (url.protocol === 'http:' && requireHttps && !isLoopbackRedirect(url)) {
    throw invalidClientMetadata(`${field} must be an https URL: ${quote(value)}`)
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidClientMetadata(`${field} must not contain user credentials: ${quote(value)}`)
  }
}

export function checkLocalizableValue(
  field: LocalizableField,
  value: string,
  name: string,
  requireHttps: boolean,
): void {
  if (field === 'client_name') checkClientName(value, name)
  else checkWebUri(value, name, requireHttps)
}

// 64 tagged values is room for every language a product ships in, and a bound on the row size.
const MAX_LOCALIZED = 64

/**
 * Collects `field#tag` members (RFC 7591 §2.2). Tags of unknown fields are unknown metadata and
 * are ignored (§2). Two spellings of the same tag (case differs) with the same value are one
 * entry; with different values the request is ambiguous and is refused.
 */
export function collectLocalized(
  input: Readonly<Record<string, unknown>>,
  requireHttps: boolean,
): Record<LocalizedKey, string> {
  const out: Record<LocalizedKey, string> = {}
  let count = 0
  for (const [key, value] of Object.entries(input)) {
    const hash = key.indexOf('#')
    if (hash <= 0) continue
    const field = key.slice(0, hash)
    if (!LOCALIZABLE.has(field) || value === null) continue
    if (typeof value !== 'string' || value === '') {
      throw invalidClientMetadata(`${quote(key)} must be a non-empty string`)
    }
    const tag = normalizeLanguageTag(key.slice(hash + 1))
    if (tag === null) {
      throw invalidClientMetadata(
        `${quote(key)} does not carry a valid BCP 47 language tag after '#'`,
      )
    }
    const limit = field === 'client_name' ? 256 : 2048
    if (value.length > limit)
      throw invalidClientMetadata(`${quote(key)} must be at most ${limit} characters`)
    checkLocalizableValue(field as LocalizableField, value, `'${key}'`, requireHttps)
    const normalizedKey: LocalizedKey = `${field as LocalizableField}#${tag}`
    const existing = out[normalizedKey]
    if (existing !== undefined) {
      if (existing !== value) {
        throw invalidClientMetadata(
          `${quote(normalizedKey)} is given twice with different values (language tags compare case-insensitively)`,
        )
      }
      continue
    }
    if (++count > MAX_LOCALIZED) {
      throw invalidClientMetadata(
        `at most ${MAX_LOCALIZED} language-tagged values may be registered`,
      )
    }
    out[normalizedKey] = value
  }
  return out
}
