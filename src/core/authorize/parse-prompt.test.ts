import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { parsePrompt, withoutLoginPrompt } from './parse-prompt.js'

describe('OpenID Connect Core §3.1.2.1: prompt', () => {
  it.each([
    [null, { none: false, login: false, consent: false }],
    ['none', { none: true, login: false, consent: false }],
    ['login', { none: false, login: true, consent: false }],
    ['consent', { none: false, login: false, consent: true }],
    ['login consent', { none: false, login: true, consent: true }],
    ['select_account', { none: false, login: false, consent: false }],
  ])('%s reads as %j', (value, expected) => {
    expect(parsePrompt(value)).toEqual(expected)
  })

  it.each(['none login', 'consent none', 'create', 'LOGIN'])(
    '%s → invalid_request (none with others, or an unknown value)',
    (value) => {
      expect(() => parsePrompt(value)).toThrow(OAuthError)
      try {
        parsePrompt(value)
      } catch (error) {
        expect((error as OAuthError).code).toBe('invalid_request')
      }
    },
  )

  it.each([
    ['login', null],
    ['login consent', 'consent'],
    ['consent', 'consent'],
    [null, null],
  ])('after signing in, prompt %s continues as %s', (value, expected) => {
    expect(withoutLoginPrompt(value)).toBe(expected)
  })
})
