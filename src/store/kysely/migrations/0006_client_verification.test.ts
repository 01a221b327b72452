import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clientVerification } from './0006_client_verification.js'
import { migrations } from './index.js'

const CALLBACK = 'https://app.vendor.example/callback'

/** The columns of clients a row needs before 0006, and the one it adds. */
interface ClientsTable {
  clients: {
    client_id: string
    client_secret_expires_at: number
    client_id_issued_at: number
    updated_at: number
    metadata: string
    origin: string
    authorized_by: string
    software_statement_issuer: string | null
    verified_by_software_statement?: number
  }
}

/** An unsigned compact JWS: the migration reads stored statements, it does not verify them. */
function jws(payload: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'ES256' })}.${part(payload)}.c2lnbmF0dXJl`
}

describe('migration 0006_client_verification backfills verifiedBySoftwareStatement (A41)', () => {
  let db: Kysely<ClientsTable>

  beforeEach(async () => {
    const unknown = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }),
    })
    for (const name of Object.keys(migrations).sort()) {
      if (name < '0006') await migrations[name]?.up(unknown)
    }
    db = unknown as unknown as Kysely<ClientsTable>
  })
  afterEach(async () => {
    await db.destroy()
  })

  function insert(clientId: string, issuer: string | null, metadata: Record<string, unknown>) {
    return db
      .insertInto('clients')
      .values({
        client_id: clientId,
        client_secret_expires_at: 0,
        client_id_issued_at: 1,
        updated_at: 1,
        metadata: JSON.stringify({ redirect_uris: [CALLBACK], ...metadata }),
        origin: 'dynamic',
        authorized_by: 'open',
        software_statement_issuer: issuer,
      })
      .execute()
  }

  async function verdicts(): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom('clients')
      .select(['client_id', 'verified_by_software_statement'])
      .execute()
    return Object.fromEntries(
      rows.map((row) => [row.client_id, Number(row.verified_by_software_statement)]),
    )
  }

  it.each<[string, number, string | null, Record<string, unknown>]>([
    [
      'a stored statement that asserts exactly its redirect_uris',
      1,
      'https://vendor.example',
      { software_statement: jws({ iss: 'https://vendor.example', redirect_uris: [CALLBACK] }) },
    ],
    [
      'a stored statement that asserts them with a repeat, stored once',
      1,
      'https://vendor.example',
      { software_statement: jws({ redirect_uris: [CALLBACK, CALLBACK] }) },
    ],
    [
      'a stored statement without redirect_uris',
      0,
      'https://vendor.example',
      { software_statement: jws({ iss: 'https://vendor.example', client_name: 'Vetted App' }) },
    ],
    [
      'a stored statement whose redirect_uris are not the registered ones',
      0,
      'https://vendor.example',
      { software_statement: jws({ redirect_uris: ['https://other.example/cb'] }) },
    ],
    [
      'a stored value that does not decode',
      0,
      'https://vendor.example',
      { software_statement: 'not.a-jwt.at-all' },
    ],
    ['an issuer recorded without a stored statement', 0, 'https://vendor.example', {}],
    ['no statement at all', 0, null, {}],
  ])('%s → %i', async (_case, expected, issuer, metadata) => {
    await insert('client-1', issuer, metadata)
    await clientVerification.up(db as unknown as Kysely<unknown>)
    expect(await verdicts()).toEqual({ 'client-1': expected })
  })

  it('reaches every client, however many pages they take', async () => {
    const asserting = { software_statement: jws({ redirect_uris: [CALLBACK] }) }
    const nameOnly = { software_statement: jws({ client_name: 'Vetted App' }) }
    const ids = Array.from({ length: 1203 }, (_, i) => `client-${String(i).padStart(4, '0')}`)
    for (const [i, id] of ids.entries()) {
      await insert(id, 'https://vendor.example', i % 2 === 0 ? asserting : nameOnly)
    }
    await clientVerification.up(db as unknown as Kysely<unknown>)
    expect(await verdicts()).toEqual(
      Object.fromEntries(ids.map((id, i) => [id, i % 2 === 0 ? 1 : 0])),
    )
  })
})
