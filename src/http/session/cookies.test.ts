import { describe, expect, it } from 'vitest'
import { clearCookie, cookieNames, readCookie, setCookie } from './cookies.js'

describe('session and CSRF cookies', () => {
  it('over https: Secure and the __Host- prefix (RFC 6265bis §4.1.3.2)', () => {
    const names = cookieNames('https://as.example/tenant')
    expect(names.session).toBe('__Host-registrar-session')
    expect(names.csrf).toBe('__Host-registrar-csrf')
    expect(setCookie(names, names.session, 'v', 60)).toBe(
      '__Host-registrar-session=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60',
    )
  })

  it('over loopback http: neither, since browsers refuse both on http', () => {
    const names = cookieNames('http://127.0.0.1:8080')
    expect(names.session).toBe('registrar-session')
    expect(setCookie(names, names.csrf, 'v', null)).toBe(
      'registrar-csrf=v; Path=/; HttpOnly; SameSite=Lax',
    )
    expect(clearCookie(names, names.session)).toBe(
      'registrar-session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
    )
  })

  it('reads one cookie from a Cookie header; the first of two with one name wins', () => {
    expect(readCookie('a=1; registrar-session=abc; b=2', 'registrar-session')).toBe('abc')
    expect(readCookie('registrar-session=x; registrar-session=y', 'registrar-session')).toBe('x')
    expect(readCookie('registrar-session-old=x', 'registrar-session')).toBeNull()
    expect(readCookie('registrar-session=', 'registrar-session')).toBeNull()
    expect(readCookie(null, 'registrar-session')).toBeNull()
  })
})
