import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, runCli } from '../support/cli.js'

let dir: string
let database: string

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'registrar-cli-grants-'))
  database = `sqlite:${join(dir, 'registrar.db')}`
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('A42: `registrar client create` refuses grants the server cannot serve', () => {
  it.each([
    ['password', 'is not enabled on this server (authorization.password)'],
    ['implicit', 'is not enabled on this server (authorization.implicit)'],
    ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'is not implemented by this server'],
  ])('--grant-type %s with the default switches → exit 2, saying why', async (grant, says) => {
    const result = await runCli([
      'client',
      'create',
      '--name',
      'Unserved',
      '--redirect-uri',
      'https://app.example/cb',
      '--grant-type',
      grant,
      '--database',
      database,
    ])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('invalid_client_metadata')
    expect(result.stderr).toContain(says)
  })
})
