import { describe, expect, it } from 'vitest'
import { isBasicAuthorization, parseBasicCredentials } from './parse-basic-credentials.js'

function basic(raw: string): string {
  return `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`
}

describe('RFC 6749 §2.3.1: the client id and secret are form-urlencoded before base64', () => {
  it.each([
    ['plain values', 'client:secret', 'client', 'secret'],
    ['%3A in the client id is a colon', 'a%3Ab:secret', 'a:b', 'secret'],
    ['%2B is a plus sign', 'client:s%2Bcret', 'client', 's+cret'],
    ['%25 is a percent sign', 'client:100%25', 'client', '100%'],
    ['a literal + is a space', 'my+client:a+b', 'my client', 'a b'],
    [
      'the secret may hold an unencoded colon (split at the first one)',
      'client:a:b',
      'client',
      'a:b',
    ],
    ['UTF-8 escapes decode', 'client:%C3%A9t%C3%A9', 'client', 'été'],
    ['an empty secret is a secret of length zero', 'client:', 'client', ''],
  ])('%s', (_name, raw, clientId, clientSecret) => {
    expect(parseBasicCredentials(basic(raw))).toEqual({ clientId, clientSecret })
  })

  it('RFC 7617 §2: the scheme name is case-insensitive', () => {
    const value = Buffer.from('client:secret').toString('base64')
    expect(parseBasicCredentials(`bAsIc ${value}`)).toEqual({
      clientId: 'client',
      clientSecret: 'secret',
    })
    expect(isBasicAuthorization(`BASIC ${value}`)).toBe(true)
    expect(isBasicAuthorization(`Bearer ${value}`)).toBe(false)
    expect(isBasicAuthorization(null)).toBe(false)
  })

  it.each([
    ['no credentials after the scheme', 'Basic'],
    ['not base64', 'Basic ***'],
    ['two tokens', 'Basic YTpi YTpi'],
    ['no colon', basic('clientsecret')],
    ['an empty client id', basic(':secret')],
    ['a broken percent-escape', basic('client:%zz')],
    ['not UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`],
  ])('%s reads as no credentials', (_name, header) => {
    expect(parseBasicCredentials(header)).toBeNull()
  })
})
