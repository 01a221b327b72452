/**
 * RFC 7591 §2.2: human-readable values may be tagged `field#tag` with a BCP 47 language tag,
 * and tags compare case-insensitively, so `client_name#JA-jpan-jp` and `client_name#ja-Jpan-JP`
 * are one entry. Returns the tag in BCP 47's conventional case (RFC 5646 §2.1.1), or null when
 * it is not a well-formed tag.
 *
 * Intl.getCanonicalLocales validates the syntax; its result is not used as the key because it
 * also replaces deprecated subtags ('iw' becomes 'he'), and the client must get back the key it
 * sent, up to case.
 */
export function normalizeLanguageTag(tag: string): string | null {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(tag)) return null
  try {
    Intl.getCanonicalLocales(tag)
  } catch {
    return null
  }
  return tag
    .split('-')
    .map((subtag, index) => {
      const lower = subtag.toLowerCase()
      if (index === 0) return lower
      // After the language: 4 letters is a script (Title case), 2 letters a region (UPPER).
      if (/^[a-z]{4}$/.test(lower)) return lower[0]?.toUpperCase() + lower.slice(1)
      if (/^[a-z]{2}$/.test(lower)) return lower.toUpperCase()
      return lower
    })
    .join('-')
}
