import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifySecret } from '../../src/core/crypto/hash-secret.js'
import { verifyPassword } from '../../src/core/users/password-hash.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import {
  authorizeUrl,
  Browser,
  formAction,
  hiddenInputs,
  redirectParams,
} from '../support/browser.js'
import { assertBuilt, runCli, serveCli } from '../support/cli.js'

let dir: string
let path: string
let database: string

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'registrar-cli-users-'))
  path = join(dir, 'registrar.db')
  database = `sqlite:${path}`
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Reads the database the CLI wrote, with the CLI not running. */
async function withStore<T>(
  read: (store: Awaited<ReturnType<typeof openSqliteStore>>) => Promise<T>,
): Promise<T> {
  const store = await openSqliteStore({ path })
  try {
    return await read(store)
  } finally {
    await store.close()
  }
}

function json(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>
}

describe('registrar user', () => {
  it('add --password stores a scrypt hash, never the password', async () => {
    const added = await runCli([
      'user',
      'add',
      'alice',
      '--password',
      'alice-password',
      '--database',
      database,
    ])
    expect(added, added.stderr).toMatchObject({ code: 0 })
    expect(added.stdout).toMatch(/^added alice \([\w-]+\)\n$/)
    const stored = await withStore((store) => store.findUserByUsername('alice'))
    expect(stored?.passwordHash).toMatch(/^scrypt\$/)
    expect(stored?.passwordHash).not.toContain('alice-password')
  })

  it('add --password-stdin reads the password without its trailing newline, and warns when it is short', async () => {
    const added = await runCli(
      ['user', 'add', 'bob', '--password-stdin', '--database', database],
      'pw-bob\n',
    )
    expect(added.code, added.stderr).toBe(0)
    expect(added.stderr).toMatch(/shorter than 8 characters/)
    const stored = await withStore((store) => store.findUserByUsername('bob'))
    expect(await verifyPassword('pw-bob', stored?.passwordHash ?? '')).toBe(true)
  })

  it('refuses a taken username (exit 1) and wrong calls (exit 2) without hashing anything', async () => {
    const taken = await runCli(['user', 'add', 'alice', '--password', 'x', '--database', database])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toMatch(/already exists/)
    for (const args of [
      ['user', 'add', 'carol'],
      ['user', 'add', 'carol', '--password', 'x', '--password-stdin'],
      ['user', 'add', ' carol', '--password', 'long enough password'],
      ['user', 'add'],
      ['user', 'rename', 'alice'],
    ]) {
      const result = await runCli([...args, '--database', database])
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
    }
    expect(await withStore((store) => store.findUserByUsername(' carol'))).toBeNull()
  })

  it('list shows ids and usernames, and --json never the hash', async () => {
    const list = await runCli(['user', 'list', '--database', database])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/\talice\t/)
    expect(list.stdout).toMatch(/\tbob\t/)
    const described = JSON.parse(
      (await runCli(['user', 'list', '--json', '--database', database])).stdout,
    ) as Record<string, unknown>[]
    expect(described.map((u) => u.username).sort()).toEqual(['alice', 'bob'])
    expect(JSON.stringify(described)).not.toContain('scrypt')
  })

  it('delete removes the user; an unknown one is exit 1', async () => {
    expect((await runCli(['user', 'delete', 'alice', '--database', database])).stdout).toBe(
      'deleted alice\n',
    )
    expect(await withStore((store) => store.findUserByUsername('alice'))).toBeNull()
    const again = await runCli(['user', 'delete', 'alice', '--database', database])
    expect(again.code).toBe(1)
  })
})

describe('registrar client create | trust | untrust', () => {
  it('creates a public client: the registration as JSON, no secret, provenance admin', async () => {
    const created = await runCli([
      'client',
      'create',
      '--name',
      'Admin CLI',
      '--redirect-uri',
      'http://127.0.0.1/callback',
      '--redirect-uri',
      'com.example.app:/cb',
      '--auth-method',
      'none',
      '--application-type',
      'native',
      '--scope',
      'read',
      '--database',
      database,
    ])
    expect(created.code, created.stderr).toBe(0)
    const registration = json(created.stdout)
    expect(registration).toMatchObject({
      client_name: 'Admin CLI',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'native',
      scope: 'read',
    })
    expect(registration.client_secret).toBeUndefined()
    expect(registration.registration_access_token).toBeUndefined()
    const shown = json(
      (await runCli(['client', 'show', String(registration.client_id), '--database', database]))
        .stdout,
    )
    expect(shown).toMatchObject({
      provenance: { origin: 'admin', authorized_by: 'admin' },
      trusted: false,
      resource_server: null,
      has_client_secret: false,
    })
  })

  it('creates a trusted confidential resource server with any grant type an administrator picks', async () => {
    // docs/decisions.md A42: any grant the server serves; password only where it is switched on.
    const config = join(dir, 'password-on.json')
    await writeFile(config, JSON.stringify({ authorization: { password: true } }))
    const created = await runCli([
      'client',
      'create',
      '--name',
      'Notes API',
      '--grant-type',
      'client_credentials',
      '--grant-type',
      'password',
      '--auth-method',
      'client_secret_post',
      '--resource-server',
      'https://API.example.com/',
      '--trusted',
      '--config',
      config,
      '--database',
      database,
    ])
    expect(created.code, created.stderr).toBe(0)
    const registration = json(created.stdout)
    expect(registration.grant_types).toEqual(['client_credentials', 'password'])
    expect(registration.scope).toBe('read write')
    const secret = registration.client_secret
    expect(typeof secret).toBe('string')
    expect(registration.client_secret_expires_at).toBe(0)
    const record = await withStore((store) => store.getClient(String(registration.client_id)))
    expect(record).toMatchObject({ trusted: true, resourceServer: 'https://api.example.com' })
    expect(verifySecret(String(secret), record?.clientSecretHash ?? '')).toBe(true)
  })

  it.each([
    [['--redirect-uri', 'http://app.example/cb'], /invalid_redirect_uri/],
    [['--redirect-uri', 'https://app.example/cb', '--scope', 'admin'], /invalid_client_metadata/],
    [['--grant-type', 'saml2'], /invalid_client_metadata/],
    [
      ['--grant-type', 'client_credentials', '--resource-server', 'api.example'],
      /--resource-server: invalid_target/,
    ],
    [[], /invalid_redirect_uri/],
  ])('validates like registration: %j → exit 2', async (flags, message) => {
    const result = await runCli([
      'client',
      'create',
      '--name',
      'Bad',
      ...flags,
      '--database',
      database,
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
  })

  it('needs --name', async () => {
    const result = await runCli([
      'client',
      'create',
      '--redirect-uri',
      'https://a.example/cb',
      '--database',
      database,
    ])
    expect(result.code).toBe(2)
  })

  it('trust and untrust flip the consent skip; an unknown client is exit 1', async () => {
    const id = String(
      json(
        (
          await runCli([
            'client',
            'create',
            '--name',
            'Web',
            '--redirect-uri',
            'https://app.example/cb',
            '--database',
            database,
          ])
        ).stdout,
      ).client_id,
    )
    expect((await runCli(['client', 'trust', id, '--database', database])).stdout).toBe(
      `trusted ${id}\n`,
    )
    expect(await withStore(async (store) => (await store.getClient(id))?.trusted)).toBe(true)
    expect((await runCli(['client', 'untrust', id, '--database', database])).code).toBe(0)
    expect(await withStore(async (store) => (await store.getClient(id))?.trusted)).toBe(false)
    expect((await runCli(['client', 'trust', 'no-such-client', '--database', database])).code).toBe(
      1,
    )
    expect((await runCli(['client', 'trust', '--database', database])).code).toBe(2)
  })
})

describe('a user and a trusted client made with the CLI, through `registrar serve`', () => {
  it('the user signs in and the trusted client gets a code without a consent page', async () => {
    const created = json(
      (
        await runCli([
          'client',
          'create',
          '--name',
          'Intranet',
          '--redirect-uri',
          'https://intranet.example/cb',
          '--trusted',
          '--database',
          database,
        ])
      ).stdout,
    )
    const server = await serveCli(['--port', '0', '--database', database, '--log-level', 'silent'])
    try {
      const browser = new Browser(server.url)
      const login = await browser.get(
        authorizeUrl(server.url, { client_id: String(created.client_id), state: 'cli' }),
      )
      expect(login.status).toBe(200)
      const signedIn = await browser.post(formAction(login.text) ?? '', {
        ...hiddenInputs(login.text),
        username: 'bob',
        password: 'pw-bob',
      })
      expect(signedIn.status).toBe(303)
      const answer = await browser.get(signedIn.location ?? '')
      expect(answer.status).toBe(302)
      const params = redirectParams(answer.location)
      expect(params.get('code')).toMatch(/^[0-9a-f]{12}[\w-]{43}$/)
      expect(params.get('state')).toBe('cli')
      expect(params.get('iss')).toBe(server.url)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})
