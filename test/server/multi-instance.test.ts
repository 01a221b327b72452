import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ServeProcess } from '../support/cli.js'
import { assertBuilt, runCli, serveCli } from '../support/cli.js'
import type { TestSchema } from '../support/postgres.js'
import { adminQuery, describePostgres, testSchema } from '../support/postgres.js'

/**
 * Three real `registrar serve` processes on one PostgreSQL schema, as behind a load balancer.
 * Each test sends from its own X-Forwarded-For address (the config trusts one proxy hop), so
 * the per-address rate limit of one test never touches another's.
 *
 * Not covered yet: redeeming one authorization code on two instances at once (exactly one
 * wins). That needs the token endpoint, which registrar does not have yet; the store's atomic
 * consumption under concurrency is covered by the contract suite on PostgreSQL meanwhile.
 */
describePostgres('three instances behind one load balancer, one PostgreSQL database', () => {
  let dir: string
  let schema: TestSchema
  let servers: ServeProcess[] = []

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'registrar-multi-'))
    schema = testSchema()
    const config = join(dir, 'registrar.json')
    await writeFile(
      config,
      JSON.stringify({
        trustProxyHops: 1,
        registration: { rateLimit: { max: 20, windowSeconds: 3600 } },
      }),
    )
    // Started together on a fresh schema: all three reach the migrations at the same moment.
    servers = await Promise.all(
      Array.from({ length: 3 }, () =>
        serveCli(['--port', '0', '--database', schema.url, '--config', config]),
      ),
    )
  }, 60_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
    await schema?.drop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('all three start together on a fresh schema, and exactly one of them migrates it', () => {
    const migrated = servers.filter((server) => server.stderr().includes('"database migrated"'))
    expect(migrated).toHaveLength(1)
  })

  it('every instance is ready', async () => {
    for (const server of servers) {
      const response = await fetch(`${server.url}/readyz`)
      expect(response.status, server.url).toBe(200)
    }
  })

  it('a client registered through the first instance is read back through the database by `registrar client show`, and seen by the second', async () => {
    const [first, second] = servers
    if (first === undefined || second === undefined) throw new Error('servers did not start')
    const registered = await register(first.url, '198.51.100.1', { client_name: 'Shared App' })
    expect(registered.status).toBe(201)
    const clientId = registered.body.client_id as string

    // `--` before the id: a base64url client_id may begin with '-'.
    const shown = await runCli(['client', 'show', '--database', schema.url, '--', clientId])
    expect(shown.code, shown.stderr).toBe(0)
    const described = JSON.parse(shown.stdout) as Record<string, Record<string, unknown>>
    expect(described.client_id).toBe(clientId)
    expect(described.metadata).toMatchObject({ client_name: 'Shared App' })

    // The second instance has never seen this client in its memory, only in the database.
    // RFC 7592 §2.1: the client reads its registration through another instance.
    const uri = registered.body.registration_client_uri as string
    const token = registered.body.registration_access_token as string
    expect(uri.startsWith(first.url)).toBe(true)
    const read = await fetch(second.url + uri.slice(first.url.length), {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(read.status).toBe(200)
    expect(((await read.json()) as { client_name: string }).client_name).toBe('Shared App')
  })

  it('the registration rate limit is shared: of 25 registrations spread over the three, exactly 20 succeed', async () => {
    const address = '203.0.113.7'
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => {
        const server = servers[i % servers.length]
        if (server === undefined) throw new Error('servers did not start')
        return register(server.url, address, { client_name: `Client ${i}` })
      }),
    )
    const statuses = results.map((result) => result.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(20)
    expect(statuses.filter((status) => status === 429)).toHaveLength(5)
    for (const refused of results.filter((result) => result.status === 429)) {
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    }
    const [row] = await adminQuery<{ count: string }>(
      `select count(*) as count from ${schema.name}.clients where created_ip = $1`,
      [address],
    )
    expect(row?.count).toBe('20')
  })

  it('SIGTERM stops each instance cleanly: exit 0, pool closed', async () => {
    const codes = await Promise.all(servers.map((server) => server.stop()))
    servers = []
    expect(codes).toEqual([0, 0, 0])
  })
})

async function register(
  url: string,
  forwardedFor: string,
  metadata: Record<string, unknown>,
): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], ...metadata }),
  })
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  }
}
