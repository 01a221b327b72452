import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { assertBuilt, runCli } from '../support/cli.js'
import { clientOfCase, TIER_CASES } from '../support/client-tiers.js'

let dir: string
let database: string

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'registrar-cli-tiers-'))
  const path = join(dir, 'registrar.db')
  database = `sqlite:${path}`
  const store = await openSqliteStore({ path })
  try {
    for (const tierCase of TIER_CASES) {
      await store.createClient(clientOfCase(tierCase, { client_name: `${tierCase.name} app` }))
    }
  } finally {
    await store.close()
  }
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('docs/decisions.md B7: `registrar client` shows each client’s trust_tier', () => {
  it('list: the third tab-separated column', async () => {
    const list = await runCli(['client', 'list', '--database', database])
    expect(list, list.stderr).toMatchObject({ code: 0 })
    const tiers = new Map(
      list.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split('\t'))
        .map((columns) => [columns[0], columns]),
    )
    for (const { name, provenance, tier } of TIER_CASES) {
      expect(tiers.get(name)).toEqual([
        name,
        provenance.origin ?? 'dynamic',
        tier,
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        `${name} app`,
      ])
    }
  })

  it('list --json and show: trust_tier beside trusted and the provenance', async () => {
    const listed = await runCli(['client', 'list', '--json', '--database', database])
    expect(listed, listed.stderr).toMatchObject({ code: 0 })
    const described = JSON.parse(listed.stdout) as readonly Record<string, unknown>[]
    const byId = new Map(described.map((c) => [c.client_id, c.trust_tier]))
    expect(Object.fromEntries(byId)).toEqual(
      Object.fromEntries(TIER_CASES.map(({ name, tier }) => [name, tier])),
    )

    for (const { name, tier } of TIER_CASES) {
      const shown = await runCli(['client', 'show', name, '--database', database])
      expect(shown, shown.stderr).toMatchObject({ code: 0 })
      expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: name, trust_tier: tier })
    }
  })
})
