import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, runCli, serveCli } from '../support/cli.js'

let dir: string
let database: string

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'registrar-cli-'))
  database = `sqlite:${join(dir, 'registrar.db')}`
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function registerOver(url: string, body: unknown, token?: string) {
  const response = await fetch(`${url}/register`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('registrar serve', () => {
  it('prints `listening on`, registers over HTTP, and exits 0 on SIGTERM', async () => {
    const server = await serveCli(['--port', '0', '--database', database, '--log-level', 'silent'])
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const discovery = await fetch(`${server.url}/.well-known/oauth-authorization-server`)
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(server.url)
    const { status, body } = await registerOver(server.url, {
      client_name: 'CLI App',
      redirect_uris: ['https://app.example.com/callback'],
    })
    expect(status).toBe(201)
    expect(body.client_secret).toEqual(expect.any(String))
    expect(await server.stop()).toBe(0)
  })

  it('finishes a request in flight before exiting on SIGTERM', async () => {
    const server = await serveCli(['--port', '0', '--database', database, '--log-level', 'silent'])
    const { port } = new URL(server.url)
    // A raw socket makes "in flight" certain: the head and half the body reach the server
    // before SIGTERM, the rest after it.
    const body = JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] })
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    let answer = ''
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
    })
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write(
      `POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const stopped = server.stop()
    await new Promise((resolve) => setTimeout(resolve, 300))
    socket.end(body.slice(10))
    await closed
    expect(answer).toMatch(/^HTTP\/1\.1 201 /)
    expect(await stopped).toBe(0)
  })

  it('refuses an unknown config key with a message naming it (exit 2)', async () => {
    const config = join(dir, 'bad.json')
    await writeFile(config, JSON.stringify({ registration: { mode: 'open', modez: 1 } }))
    const result = await runCli(['serve', '--config', config, '--database', database])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("registration: unknown key 'modez'")
  })

  it('refuses a wrong type in the config with the key path (exit 2)', async () => {
    const config = join(dir, 'type.json')
    await writeFile(
      config,
      JSON.stringify({ registration: { rateLimit: { max: 'many', windowSeconds: 60 } } }),
    )
    const result = await runCli(['serve', '--config', config, '--database', database])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('registration.rateLimit')
  })

  it('says which PostgreSQL URL parameter it does not know (exit 2)', async () => {
    const result = await runCli(['serve', '--database', 'postgres://127.0.0.1:5432/test?pol=10'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown PostgreSQL URL parameter 'pol'")
  })

  it('says why it cannot reach PostgreSQL (exit 1)', async () => {
    // Port 1: nothing listens there.
    const result = await runCli(['serve', '--database', 'postgres://127.0.0.1:1/test'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('database unavailable: connect ECONNREFUSED')
  })

  it('refuses a plain-http issuer that is not loopback (exit 2)', async () => {
    const result = await runCli([
      'serve',
      '--port',
      '0',
      '--database',
      database,
      '--issuer',
      'http://auth.example.com',
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('issuer must use https')
  })

  it('serves registration disabled: 404 and no registration_endpoint in discovery', async () => {
    const config = join(dir, 'disabled.json')
    await writeFile(config, JSON.stringify({ registration: { mode: 'disabled' } }))
    const server = await serveCli([
      '--port',
      '0',
      '--database',
      database,
      '--config',
      config,
      '--log-level',
      'silent',
    ])
    const { status } = await registerOver(server.url, { redirect_uris: ['https://a.example/cb'] })
    expect(status).toBe(404)
    const metadata = (await (
      await fetch(`${server.url}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>
    expect(metadata).not.toHaveProperty('registration_endpoint')
    expect(await server.stop()).toBe(0)
  })
})

describe('registrar initial-access-token', () => {
  it('create prints the token alone on stdout, and the server accepts it until used up', async () => {
    const created = await runCli([
      'initial-access-token',
      'create',
      '--max-uses',
      '1',
      '--expires-in',
      '3600',
      '--database',
      database,
    ])
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
    const token = created.stdout.trim()

    const config = join(dir, 'iat.json')
    await writeFile(config, JSON.stringify({ registration: { mode: 'initial_access_token' } }))
    const server = await serveCli([
      '--port',
      '0',
      '--database',
      database,
      '--config',
      config,
      '--log-level',
      'silent',
    ])
    const body = { redirect_uris: ['https://app.example.com/cb'] }
    expect((await registerOver(server.url, body)).status).toBe(401)
    expect((await registerOver(server.url, body, token)).status).toBe(201)
    expect((await registerOver(server.url, body, token)).status).toBe(401)
    expect(await server.stop()).toBe(0)

    const listed = await runCli(['initial-access-token', 'list', '--database', database])
    expect(listed.stdout).toContain('used up')
  })

  it('refuses a non-numeric --max-uses (exit 2)', async () => {
    const result = await runCli([
      'initial-access-token',
      'create',
      '--max-uses',
      'lots',
      '--database',
      database,
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--max-uses')
  })
})

describe('registrar client', () => {
  it('lists, shows (with provenance, never the secret) and deletes a registered client', async () => {
    const server = await serveCli(['--port', '0', '--database', database, '--log-level', 'silent'])
    const { body } = await registerOver(server.url, {
      client_name: 'Listed App',
      redirect_uris: ['https://listed.example.com/cb'],
    })
    expect(await server.stop()).toBe(0)
    const clientId = body.client_id as string
    const secret = body.client_secret as string

    const list = await runCli(['client', 'list', '--database', database])
    expect(list.code).toBe(0)
    expect(list.stdout).toContain(clientId)

    const shown = await runCli(['client', 'show', clientId, '--database', database])
    expect(shown.code).toBe(0)
    expect(shown.stdout).not.toContain(secret)
    const described = JSON.parse(shown.stdout) as Record<string, Record<string, unknown>>
    expect(described.provenance).toMatchObject({
      origin: 'dynamic',
      authorized_by: 'open',
      ip: '127.0.0.1',
    })
    expect(described.metadata).toMatchObject({ client_name: 'Listed App' })
    // Issue 3: show states whether the client can manage itself and until when.
    expect(described.management).toEqual({
      enabled: true,
      registration_access_token_expires: 'never',
    })
    const off = join(dir, 'management-off.json')
    await writeFile(off, JSON.stringify({ registration: { management: false } }))
    const shownOff = await runCli([
      'client',
      'show',
      clientId,
      '--database',
      database,
      '--config',
      off,
    ])
    const describedOff = JSON.parse(shownOff.stdout) as Record<string, Record<string, unknown>>
    expect(describedOff.management).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('switched off'),
    })
    expect(shown.stdout).not.toContain(body.registration_access_token as string)

    expect((await runCli(['client', 'delete', clientId, '--database', database])).code).toBe(0)
    const gone = await runCli(['client', 'show', clientId, '--database', database])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain('no client')
  })

  it('exits 2 on an unknown command', async () => {
    const result = await runCli(['frobnicate'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown command 'frobnicate'")
  })
})
