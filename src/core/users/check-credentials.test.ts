import { describe, expect, it } from 'vitest'
import { checkPassword, checkUsername, isShortPassword } from './check-credentials.js'

describe('built-in usernames and passwords', () => {
  it.each(['alice', 'Alice.Smith@example.com', 'ユーザー', 'a'.repeat(255)])(
    'accepts the username %s',
    (username) => {
      expect(() => checkUsername(username)).not.toThrow()
    },
  )

  it.each(['', ' alice', 'alice ', 'ali\nce', 'ali\u202Ece', 'a'.repeat(256)])(
    'refuses the username %j with a TypeError',
    (username) => {
      expect(() => checkUsername(username)).toThrow(TypeError)
    },
  )

  it('refuses an empty or overlong password; warns about short ones', () => {
    expect(() => checkPassword('')).toThrow(TypeError)
    expect(() => checkPassword('x'.repeat(1025))).toThrow(TypeError)
    expect(() => checkPassword('x'.repeat(1024))).not.toThrow()
    expect(isShortPassword('1234567')).toBe(true)
    expect(isShortPassword('12345678')).toBe(false)
  })
})
