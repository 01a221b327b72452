import { describe, expect, it } from 'vitest'
import { csrfTokenFor, isSameOrigin, verifyCsrfToken } from './csrf.js'

describe('CSRF tokens and the Origin check', () => {
  it('a token verifies only against the secret it was derived from, and does not reveal it', () => {
    const token = csrfTokenFor('secret-a')
    expect(token).not.toContain('secret-a')
    expect(verifyCsrfToken(token, 'secret-a')).toBe(true)
    expect(verifyCsrfToken(token, 'secret-b')).toBe(false)
    expect(verifyCsrfToken(null, 'secret-a')).toBe(false)
    expect(verifyCsrfToken(token, null)).toBe(false)
    expect(verifyCsrfToken(`${token}x`, 'secret-a')).toBe(false)
  })

  const ORIGIN = 'https://as.example'
  const post = (headers: Record<string, string>) =>
    new Request('https://as.example/login', { method: 'POST', headers })

  it.each([
    [{ Origin: ORIGIN }, true],
    [{ Origin: 'https://evil.example' }, false],
    [{ Origin: 'null' }, false],
    // Chromium, for a same-origin form on a page with Referrer-Policy: no-referrer.
    [{ Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }, true],
    [{ Origin: 'null', 'Sec-Fetch-Site': 'cross-site' }, false],
    [{ Origin: 'null', 'Sec-Fetch-Site': 'none' }, false],
    [{ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'same-origin' }, false],
    [{ Origin: 'https://as.example:8443' }, false],
    [{ 'Sec-Fetch-Site': 'same-origin' }, true],
    [{ 'Sec-Fetch-Site': 'none' }, true],
    [{ 'Sec-Fetch-Site': 'same-site' }, false],
    [{ 'Sec-Fetch-Site': 'cross-site' }, false],
    [{}, true],
  ])('headers %j → same origin: %s', (headers, expected) => {
    expect(isSameOrigin(post(headers), ORIGIN)).toBe(expected)
  })
})
