import { describe, expect, it } from 'vitest'
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password-hash.js'

describe('passwords are hashed with a memory-hard function (scrypt)', () => {
  it('verifies the password it hashed, and nothing else', async () => {
    const hash = await hashPassword('correct horse battery staple')
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/)
    expect(hash).not.toContain('correct horse')
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true)
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false)
  })

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'))
  })

  it('treats composed and decomposed forms of a password as one (NFC)', async () => {
    const hash = await hashPassword('caf\u00e9')
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true)
  })

  it.each([
    'plain',
    'bcrypt$10$x$y',
    'scrypt$1048577$8$1$c2FsdA$a2V5',
    'scrypt$3$8$1$c2FsdA$a2V5',
    'scrypt$1024$8$1$c2FsdA$a2V5$extra',
    'scrypt$1024$99$1$c2FsdA$a2V5',
  ])('a malformed or unreasonable stored hash %j never verifies', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false)
  })

  it('the unknown-user path spends a real verification and says no', async () => {
    expect(await verifyAgainstDummy('guess')).toBe(false)
  })
})
