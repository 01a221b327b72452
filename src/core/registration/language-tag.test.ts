import { describe, expect, it } from 'vitest'
import { normalizeLanguageTag } from './language-tag.js'

describe('RFC 7591 §2.2: language tags are BCP 47 and compare case-insensitively', () => {
  it.each([
    ['ja-Jpan-JP', 'ja-Jpan-JP'],
    ['JA-jpan-jp', 'ja-Jpan-JP'],
    ['en', 'en'],
    ['EN-us', 'en-US'],
    ['fr', 'fr'],
    ['zh-Hant-TW', 'zh-Hant-TW'],
    ['iw', 'iw'],
  ])('%s is kept as %s', (tag, expected) => {
    expect(normalizeLanguageTag(tag)).toBe(expected)
  })

  it.each(['', 'not a tag', 'en_US', 'x', '-en', 'en--US', 'a'.repeat(65)])(
    '%s is not a well-formed tag',
    (tag) => {
      expect(normalizeLanguageTag(tag)).toBeNull()
    },
  )
})
