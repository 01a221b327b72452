import type { Insertable, Kysely, Selectable } from 'kysely'
import type { ClientMetadata } from '../../core/registration/client-metadata.js'
import type {
  ClientRecord,
  CreateClientResult,
  InitialAccessTokenRecord,
  ListClientsQuery,
  Store,
} from '../store.js'
import type { ClientsTable, Database, InitialAccessTokensTable } from './schema.js'

/** Page size of listClients when the caller gives none, and the most it may ask for. */
const DEFAULT_LIST_LIMIT = 100
const MAX_LIST_LIMIT = 1000

const CREATED: CreateClientResult = { created: true }
const TOKEN_UNUSABLE: CreateClientResult = {
  created: false,
  reason: 'initial_access_token_unusable',
}

/**
 * The Store over Kysely: every query lives here, so that each dialect runs the same ones.
 * The store owns the Kysely instance it is given: close() destroys it.
 */
export class KyselyStore implements Store {
  readonly #db: Kysely<Database>
  #closing: Promise<void> | undefined

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async createClient(
    client: ClientRecord,
    options?: {
      readonly consumeInitialAccessToken?: { readonly id: string; readonly now: number }
    },
  ): Promise<CreateClientResult> {
    const db = this.#open()
    const row = clientToRow(client)
    const consume = options?.consumeInitialAccessToken
    if (consume === undefined) {
      await db.insertInto('clients').values(row).execute()
      return CREATED
    }
    const now = integer(consume.now, 'now')
    return db.transaction().execute(async (trx) => {
      // Check and count in one statement, so two registrations cannot both take the last use:
      // the database re-evaluates the WHERE under the row's write lock. The conditions mirror
      // isInitialAccessTokenUsable in store.ts.
      const spent = await trx
        .updateTable('initial_access_tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1).$castTo<number>() }))
        .where('id', '=', consume.id)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst()
      if (spent.numUpdatedRows !== 1n) return TOKEN_UNUSABLE
      // A failure here (a duplicate client_id) rolls the use back with it.
      await trx.insertInto('clients').values(row).execute()
      return CREATED
    })
  }

  async getClient(clientId: string): Promise<ClientRecord | null> {
    const row = await this.#open()
      .selectFrom('clients')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return row === undefined ? null : rowToClient(row)
  }

  async listClients(query: ListClientsQuery = {}): Promise<readonly ClientRecord[]> {
    let select = this.#open()
      .selectFrom('clients')
      .selectAll()
      .orderBy('client_id')
      .limit(listLimit(query.limit))
    if (query.origin !== undefined) select = select.where('origin', '=', query.origin)
    if (query.issuedBefore !== undefined) {
      select = select.where('client_id_issued_at', '<', integer(query.issuedBefore, 'issuedBefore'))
    }
    if (query.after !== undefined) select = select.where('client_id', '>', query.after)
    const rows = await select.execute()
    return rows.map(rowToClient)
  }

  async findClientByRegistrationAccessTokenHash(tokenHash: string): Promise<ClientRecord | null> {
    const row = await this.#open()
      .selectFrom('clients')
      .selectAll()
      .where('registration_access_token_hash', '=', tokenHash)
      .executeTakeFirst()
    return row === undefined ? null : rowToClient(row)
  }

  async updateClient(client: ClientRecord, expectedVersion: number): Promise<boolean> {
    if (client.version !== expectedVersion + 1) {
      throw new RangeError(
        `updateClient: version must be ${expectedVersion + 1}, got ${client.version}`,
      )
    }
    const { client_id: _id, client_id_issued_at: _issued, ...changes } = clientToRow(client)
    // One statement, compare-and-set on the version: the whole record changes or nothing does.
    const updated = await this.#open()
      .updateTable('clients')
      .set(changes)
      .where('client_id', '=', client.clientId)
      .where('version', '=', integer(expectedVersion, 'expectedVersion'))
      .executeTakeFirst()
    return updated.numUpdatedRows === 1n
  }

  async revokeRegistrationAccessToken(clientId: string): Promise<void> {
    await this.#open()
      .updateTable('clients')
      .set({ registration_access_token_hash: null, registration_access_token_expires_at: null })
      .where('client_id', '=', clientId)
      .execute()
  }

  async deleteClient(clientId: string): Promise<boolean> {
    const deleted = await this.#open()
      .deleteFrom('clients')
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return deleted.numDeletedRows > 0n
  }

  async createInitialAccessToken(token: InitialAccessTokenRecord): Promise<void> {
    await this.#open().insertInto('initial_access_tokens').values(tokenToRow(token)).execute()
  }

  async findInitialAccessTokenByHash(tokenHash: string): Promise<InitialAccessTokenRecord | null> {
    const row = await this.#open()
      .selectFrom('initial_access_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst()
    return row === undefined ? null : rowToToken(row)
  }

  async listInitialAccessTokens(): Promise<readonly InitialAccessTokenRecord[]> {
    const rows = await this.#open()
      .selectFrom('initial_access_tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(rowToToken)
  }

  async revokeInitialAccessToken(id: string, now: number): Promise<boolean> {
    // Only where still null: the first revocation time is the one worth keeping.
    const revoked = await this.#open()
      .updateTable('initial_access_tokens')
      .set({ revoked_at: integer(now, 'now') })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return revoked.numUpdatedRows > 0n
  }

  close(): Promise<void> {
    this.#closing ??= this.#db.destroy()
    return this.#closing
  }

  /** A clear error instead of whatever the driver says about a closed handle or ended pool. */
  #open(): Kysely<Database> {
    if (this.#closing !== undefined) throw new Error('store is closed')
    return this.#db
  }
}

function clientToRow(client: ClientRecord): Insertable<ClientsTable> {
  const { provenance, metadata } = client
  return {
    client_id: client.clientId,
    client_secret_hash: client.clientSecretHash,
    client_secret_expires_at: integer(client.clientSecretExpiresAt, 'clientSecretExpiresAt'),
    client_id_issued_at: integer(client.clientIdIssuedAt, 'clientIdIssuedAt'),
    updated_at: integer(client.updatedAt, 'updatedAt'),
    metadata: JSON.stringify(metadata),
    origin: provenance.origin,
    authorized_by: provenance.authorizedBy,
    created_ip: provenance.ip,
    created_user_agent: provenance.userAgent,
    initial_access_token_id: provenance.initialAccessTokenId,
    software_statement_issuer: provenance.softwareStatementIssuer,
    software_id: metadata.software_id ?? null,
    software_version: metadata.software_version ?? null,
    registration_access_token_hash: client.registrationAccessTokenHash,
    registration_access_token_expires_at:
      client.registrationAccessTokenExpiresAt === null
        ? null
        : integer(client.registrationAccessTokenExpiresAt, 'registrationAccessTokenExpiresAt'),
    version: integer(client.version, 'version'),
  }
}

function rowToClient(row: Selectable<ClientsTable>): ClientRecord {
  // Written only by clientToRow, from a ClientMetadata, so the JSON has that shape.
  const metadata: ClientMetadata = JSON.parse(row.metadata)
  return {
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    clientSecretExpiresAt: readInteger(row.client_secret_expires_at, 'client_secret_expires_at'),
    clientIdIssuedAt: readInteger(row.client_id_issued_at, 'client_id_issued_at'),
    updatedAt: readInteger(row.updated_at, 'updated_at'),
    metadata,
    provenance: {
      origin: row.origin,
      authorizedBy: row.authorized_by,
      ip: row.created_ip,
      userAgent: row.created_user_agent,
      initialAccessTokenId: row.initial_access_token_id,
      softwareStatementIssuer: row.software_statement_issuer,
    },
    registrationAccessTokenHash: row.registration_access_token_hash,
    registrationAccessTokenExpiresAt:
      row.registration_access_token_expires_at === null
        ? null
        : readInteger(
            row.registration_access_token_expires_at,
            'registration_access_token_expires_at',
          ),
    version: readInteger(row.version, 'version'),
  }
}

function tokenToRow(token: InitialAccessTokenRecord): Insertable<InitialAccessTokensTable> {
  return {
    id: token.id,
    token_hash: token.tokenHash,
    created_at: integer(token.createdAt, 'createdAt'),
    expires_at: token.expiresAt === null ? null : integer(token.expiresAt, 'expiresAt'),
    max_uses: token.maxUses === null ? null : integer(token.maxUses, 'maxUses'),
    uses: integer(token.uses, 'uses'),
    revoked_at: token.revokedAt === null ? null : integer(token.revokedAt, 'revokedAt'),
    description: token.description,
  }
}

function rowToToken(row: Selectable<InitialAccessTokensTable>): InitialAccessTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    createdAt: readInteger(row.created_at, 'created_at'),
    expiresAt: row.expires_at === null ? null : readInteger(row.expires_at, 'expires_at'),
    maxUses: row.max_uses === null ? null : readInteger(row.max_uses, 'max_uses'),
    uses: readInteger(row.uses, 'uses'),
    revokedAt: row.revoked_at === null ? null : readInteger(row.revoked_at, 'revoked_at'),
    description: row.description,
  }
}

function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`listClients limit must be a positive integer, got ${limit}`)
  }
  return Math.min(limit, MAX_LIST_LIMIT)
}

/**
 * Times and counts are integers (store.ts). Checked on the way in because SQLite would quietly
 * keep 1.5 as a REAL while PostgreSQL's bigint rejects it: every dialect should behave alike.
 */
function integer(value: number, name: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be an integer, got ${value}`)
  }
  return value
}

/**
 * node-postgres returns int8 as a string. Number() of it is exact below 2^53, which epoch seconds
 * stay under for another 285 million years; anything else means the row was not written by us.
 */
function readInteger(value: number | string, column: string): number {
  const number = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(number)) {
    throw new Error(`column ${column} holds ${String(value)}, which is not an integer`)
  }
  return number
}
