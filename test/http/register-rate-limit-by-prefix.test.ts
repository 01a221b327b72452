import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOAuthError, postJson } from '../support/http-helpers.js'
import type { TestServer } from '../support/test-server.js'
import { startTestServer } from '../support/test-server.js'

const BODY = { redirect_uris: ['https://app.example/cb'] }

/**
 * RFC 7591 §3: open registration MAY be rate-limited per client address. An IPv6 subscriber
 * holds a whole /64 (RFC 6177 §3) and may register from a new address of it each time (RFC 8981),
 * so the limit counts IPv6 clients by prefix (rateLimitIpv6PrefixLength, 64 by default).
 */
describe('the registration rate limit counts an IPv6 /64 as one address', () => {
  let server: TestServer
  let narrow: TestServer
  beforeAll(async () => {
    const registration = { rateLimit: { max: 3, windowSeconds: 3600 } }
    server = await startTestServer({ trustProxyHops: 1, registration })
    narrow = await startTestServer({
      trustProxyHops: 1,
      rateLimitIpv6PrefixLength: 48,
      registration,
    })
  })
  afterAll(async () => {
    await Promise.all([server.close(), narrow.close()])
  })

  const from = (target: TestServer, ip: string) =>
    postJson(target.url, BODY, { 'X-Forwarded-For': ip })

  it('eight addresses of one /64 share its 3 registrations; another /64 has its own', async () => {
    const statuses = []
    for (let i = 1; i <= 8; i++) statuses.push((await from(server, `2001:db8:a:b::${i}`)).status)
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429])
    const refused = await from(server, '2001:db8:a:b:ffff:ffff:ffff:ffff')
    expectOAuthError(refused, 429, 'rate_limited')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await from(server, '2001:db8:a:c::1')).status).toBe(201)
  })

  it('an IPv4 client counts alone, and as itself when it arrives IPv4-mapped', async () => {
    for (let i = 0; i < 2; i++) expect((await from(server, '192.0.2.7')).status).toBe(201)
    expect((await from(server, '::ffff:192.0.2.7')).status).toBe(201)
    expect((await from(server, '::ffff:192.0.2.7')).status).toBe(429)
    expect((await from(server, '192.0.2.8')).status).toBe(201)
  })

  it('with rateLimitIpv6PrefixLength 48, the whole /48 shares one bucket', async () => {
    for (const ip of ['2001:db8:1:1::1', '2001:db8:1:2::1', '2001:db8:1:3::1']) {
      expect((await from(narrow, ip)).status).toBe(201)
    }
    expect((await from(narrow, '2001:db8:1:ffff::1')).status).toBe(429)
    expect((await from(narrow, '2001:db8:2::1')).status).toBe(201)
  })
})
