import type { Insertable, Kysely, Selectable } from 'kysely'
import type { ClientMetadata } from '../../core/registration/client-metadata.js'
import type {
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  ConsumeCodeResult,
  CreateClientResult,
  InitialAccessTokenRecord,
  ListClientsQuery,
  RotateRefreshTokenResult,
  SessionRecord,
  Store,
  TokenRecord,
  UserRecord,
} from '../../core/store/store.js'
import type { QueryRunner, Shape } from './compiled-query.js'
import { compileOnce } from './compiled-query.js'
import { assertSchemaCurrent } from './migrate.js'
import type {
  AuthorizationCodesTable,
  ClientsTable,
  ConsentsTable,
  Database,
  InitialAccessTokensTable,
  SessionsTable,
  TokensTable,
  UsersTable,
} from './schema.js'

/** Page size of listClients when the caller gives none, and the most it may ask for. */
const DEFAULT_LIST_LIMIT = 100
const MAX_LIST_LIMIT = 1000

const CREATED: CreateClientResult = { created: true }
const TOKEN_UNUSABLE: CreateClientResult = {
  created: false,
  reason: 'initial_access_token_unusable',
}
const CODE_NOT_FOUND: ConsumeCodeResult = { status: 'not_found' }
const ROTATED: RotateRefreshTokenResult = { status: 'rotated' }
const TOKEN_NOT_FOUND: RotateRefreshTokenResult = { status: 'not_found' }

/**
 * The Store over Kysely: every query lives here, so that each dialect runs the same ones.
 * The store owns the Kysely instance it is given: close() destroys it.
 */
export class KyselyStore implements Store {
  readonly #db: Kysely<Database>
  readonly #hot: HotQueries
  #closing: Promise<void> | undefined

  readonly #direct: QueryRunner
  readonly #checkHealth: () => void

  /**
   * `direct`: runs a compiled statement outside any transaction more cheaply than Kysely's
   * executor (the SQLite driver's executeDirect); by default the Kysely instance itself.
   * `checkHealth`: throws when the backend can no longer write safely (a failed sync of
   * SQLite's log), which only a restart clears; checkReady and checkAlive then fail.
   */
  constructor(
    db: Kysely<Database>,
    options: { readonly direct?: QueryRunner; readonly checkHealth?: () => void } = {},
  ) {
    this.#db = db
    this.#hot = hotQueries(db)
    this.#direct = options.direct ?? db
    this.#checkHealth = options.checkHealth ?? (() => {})
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
      await this.#hot.insertClient.execute(this.#runner(), row)
      return CREATED
    }
    const now = integer(consume.now, 'now')
    return db.transaction().execute(async (trx) => {
      // Check and count in one statement, so two registrations cannot both take the last use:
      // the database re-evaluates the WHERE under the row's write lock. The conditions mirror
      // isInitialAccessTokenUsable in core/registration/initial-access-token.ts (the contract suite
      // holds the two to the same answers).
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
    const { rows } = await this.#hot.getClient.execute(this.#runner(), { clientId })
    const row = rows[0]
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
    const { rows } = await this.#hot.findClientByRegistrationAccessTokenHash.execute(
      this.#runner(),
      {
        tokenHash,
      },
    )
    const row = rows[0]
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
    // The version grows, as in setClientTrusted: an update prepared before the revocation must
    // not write a new token hash over it.
    await this.#open()
      .updateTable('clients')
      .set((eb) => ({
        registration_access_token_hash: null,
        registration_access_token_expires_at: null,
        version: eb('version', '+', 1).$castTo<number>(),
      }))
      .where('client_id', '=', clientId)
      .execute()
  }

  async deleteClient(clientId: string, expectedVersion?: number): Promise<boolean> {
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        // The client row first, so that a delete whose version check fails takes nothing with
        // it. deleteUser never touches clients, and both then go tokens, codes, consents in one
        // order, so that the two running at once on PostgreSQL cannot deadlock. The jtis of its
        // assertions stay until they expire: they only ever refuse a replay.
        let remove = trx.deleteFrom('clients').where('client_id', '=', clientId)
        if (expectedVersion !== undefined) {
          remove = remove.where('version', '=', integer(expectedVersion, 'expectedVersion'))
        }
        const deleted = await remove.executeTakeFirst()
        if (deleted.numDeletedRows === 0n) return false
        await trx.deleteFrom('tokens').where('client_id', '=', clientId).execute()
        await trx.deleteFrom('authorization_codes').where('client_id', '=', clientId).execute()
        await trx.deleteFrom('consents').where('client_id', '=', clientId).execute()
        return true
      })
  }

  async setClientTrusted(clientId: string, trusted: boolean): Promise<boolean> {
    // A change like any other: the version grows, so that an RFC 7592 update prepared from the
    // record as it was before loses its compare-and-set (and retries from the new record)
    // instead of writing the old `trusted` back.
    const updated = await this.#open()
      .updateTable('clients')
      .set((eb) => ({
        trusted: flag(trusted),
        version: eb('version', '+', 1).$castTo<number>(),
      }))
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return updated.numUpdatedRows === 1n
  }

  async createInitialAccessToken(token: InitialAccessTokenRecord): Promise<void> {
    await this.#open()
      .insertInto('initial_access_tokens')
      .values(initialAccessTokenToRow(token))
      .execute()
  }

  async findInitialAccessTokenByHash(tokenHash: string): Promise<InitialAccessTokenRecord | null> {
    const row = await this.#open()
      .selectFrom('initial_access_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst()
    return row === undefined ? null : rowToInitialAccessToken(row)
  }

  async listInitialAccessTokens(): Promise<readonly InitialAccessTokenRecord[]> {
    const rows = await this.#open()
      .selectFrom('initial_access_tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(rowToInitialAccessToken)
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

  async createUser(user: UserRecord): Promise<void> {
    // The unique constraint on username makes a duplicate throw, also between processes.
    await this.#open().insertInto('users').values(userToRow(user)).execute()
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const row = await this.#open()
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst()
    return row === undefined ? null : rowToUser(row)
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const { rows } = await this.#hot.getUser.execute(this.#runner(), { id })
    const row = rows[0]
    return row === undefined ? null : rowToUser(row)
  }

  async listUsers(): Promise<readonly UserRecord[]> {
    const rows = await this.#open()
      .selectFrom('users')
      .selectAll()
      .orderBy('username')
      .orderBy('id')
      .execute()
    return rows.map(rowToUser)
  }

  async deleteUser(id: string): Promise<boolean> {
    // Same table order as deleteClient (see there).
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom('tokens').where('user_id', '=', id).execute()
        await trx.deleteFrom('authorization_codes').where('user_id', '=', id).execute()
        await trx.deleteFrom('consents').where('user_id', '=', id).execute()
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute()
        const deleted = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst()
        return deleted.numDeletedRows > 0n
      })
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.#open().insertInto('sessions').values(sessionToRow(session)).execute()
  }

  async findSession(idHash: string, now: number): Promise<SessionRecord | null> {
    const { rows } = await this.#hot.findSession.execute(this.#runner(), {
      idHash,
      now: integer(now, 'now'),
    })
    const row = rows[0]
    return row === undefined ? null : rowToSession(row)
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#open().deleteFrom('sessions').where('id_hash', '=', idHash).execute()
  }

  async saveConsent(consent: ConsentRecord): Promise<void> {
    const row = consentToRow(consent)
    // One statement: two approvals racing end with one of them whole, never a mixture.
    await this.#open()
      .insertInto('consents')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['user_id', 'client_id']).doUpdateSet({
          scopes: row.scopes,
          resources: row.resources,
          granted_at: row.granted_at,
        }),
      )
      .execute()
  }

  async findConsent(userId: string, clientId: string): Promise<ConsentRecord | null> {
    const { rows } = await this.#hot.findConsent.execute(this.#runner(), { userId, clientId })
    const row = rows[0]
    return row === undefined ? null : rowToConsent(row)
  }

  async createAuthorizationCode(code: AuthorizationCodeRecord): Promise<void> {
    await this.#hot.insertAuthorizationCode.execute(this.#runner(), codeToRow(code))
  }

  async consumeAuthorizationCode(
    codeHash: string,
    now: number,
    issue?: (code: AuthorizationCodeRecord) => Promise<readonly TokenRecord[]>,
  ): Promise<ConsumeCodeResult> {
    let failure: { readonly error: unknown } | null = null
    const hot = this.#hot
    const result = await this.#open()
      .transaction()
      .execute(async (trx): Promise<ConsumeCodeResult> => {
        // Compare-and-set in one statement: the database re-evaluates `consumed_at IS NULL`
        // under the row's write lock, so of concurrent redemptions, in any number of processes,
        // exactly one updates the row; the others wait for it to commit and then see it used.
        const consumption = { codeHash, now: integer(now, 'now') }
        const consumed = (await hot.consumeAuthorizationCode.execute(trx, consumption)).rows[0]
        if (consumed === undefined) {
          const { rows } = await hot.findAuthorizationCode.execute(trx, { codeHash })
          const row = rows[0]
          return row === undefined ? CODE_NOT_FOUND : { status: 'replayed', code: rowToCode(row) }
        }
        const code = rowToCode(consumed)
        if (issue !== undefined) {
          // The tokens commit with the consumption, so a replay (which can only see the code
          // used once this commits) always finds them to revoke. A refusal still burns the code.
          try {
            const rows = (await issue(code)).map(tokenToRow)
            await insertTokens(hot, trx, rows)
          } catch (error) {
            failure = { error }
          }
        }
        return { status: 'consumed', code }
      })
    if (failure !== null) throw (failure as { readonly error: unknown }).error
    return result
  }

  async createTokens(tokens: readonly TokenRecord[]): Promise<void> {
    // One INSERT of every row: a statement is atomic on its own, so all or none are stored.
    await insertTokens(this.#hot, this.#open(), tokens.map(tokenToRow), this.#runner())
  }

  async findToken(tokenHash: string): Promise<TokenRecord | null> {
    const { rows } = await this.#hot.findToken.execute(this.#runner(), { tokenHash })
    const row = rows[0]
    return row === undefined ? null : rowToToken(row)
  }

  async rotateRefreshToken(
    tokenHash: string,
    now: number,
    replacements: readonly TokenRecord[],
  ): Promise<RotateRefreshTokenResult> {
    const at = integer(now, 'now')
    // Converted (and checked) before the transaction begins.
    const rows = replacements.map(tokenToRow)
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        // Compare-and-set, as in consumeAuthorizationCode: of concurrent exchanges exactly one
        // marks the token rotated. A failed insert below rolls the mark back with it.
        const rotated = await trx
          .updateTable('tokens')
          .set({ rotated_at: at })
          .where('token_hash', '=', tokenHash)
          .where('kind', '=', 'refresh')
          .where('rotated_at', 'is', null)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        if (rotated.numUpdatedRows === 1n) {
          if (rows.length > 0) await trx.insertInto('tokens').values(rows).execute()
          return ROTATED
        }
        const row = await trx
          .selectFrom('tokens')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .where('kind', '=', 'refresh')
          .executeTakeFirst()
        return row === undefined ? TOKEN_NOT_FOUND : { status: 'reused', token: rowToToken(row) }
      })
  }

  async revokeToken(tokenHash: string, now: number): Promise<boolean> {
    // Only where still null, like revokeInitialAccessToken: the first revocation time stays.
    const revoked = await this.#open()
      .updateTable('tokens')
      .set({ revoked_at: integer(now, 'now') })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return revoked.numUpdatedRows > 0n
  }

  async revokeGrant(grantId: string, now: number): Promise<void> {
    await this.#open()
      .updateTable('tokens')
      .set({ revoked_at: integer(now, 'now') })
      .where('grant_id', '=', grantId)
      .where('revoked_at', 'is', null)
      .execute()
  }

  async consumeAssertionJti(
    clientId: string,
    jti: string,
    expiresAt: number,
    now: number,
  ): Promise<boolean> {
    const db = this.#open()
    const until = integer(expiresAt, 'expiresAt')
    // A jti whose record has expired may be used again (RFC 7523 §3 only asks for replay
    // protection while the assertion is valid).
    await db
      .deleteFrom('assertion_jtis')
      .where('client_id', '=', clientId)
      .where('jti', '=', jti)
      .where('expires_at', '<=', integer(now, 'now'))
      .execute()
    // The primary key decides between concurrent uses: exactly one insert adds the row, the
    // others (in any process) insert nothing, without an error to tell apart from others.
    const inserted = await db
      .insertInto('assertion_jtis')
      .values({ client_id: clientId, jti, expires_at: until })
      .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
      .executeTakeFirst()
    return inserted.numInsertedOrUpdatedRows === 1n
  }

  async checkReady(): Promise<void> {
    this.#checkHealth()
    await assertSchemaCurrent(this.#open())
  }

  checkAlive(): void {
    this.#checkHealth()
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

  /** Where a compiled query outside a transaction runs. */
  #runner(): QueryRunner {
    this.#open()
    return this.#direct
  }
}

type ClientRow = Insertable<ClientsTable>
type TokenRow = Insertable<TokensTable>
type AuthorizationCodeRow = Insertable<AuthorizationCodesTable>

/**
 * Every column, in the order clientToRow writes them. 'or-null' binds an undefined value (only a
 * caller outside the types can pass one) as NULL, which is what Kysely's leaving the column out
 * stores for a column without DEFAULT. version and trusted have one, but integer() and flag()
 * never return undefined.
 */
const CLIENT_ROW: Shape<ClientRow> = {
  client_id: 'or-null',
  client_secret_hash: 'or-null',
  client_secret_expires_at: 'or-null',
  client_id_issued_at: 'or-null',
  updated_at: 'or-null',
  metadata: 'or-null',
  origin: 'or-null',
  authorized_by: 'or-null',
  created_ip: 'or-null',
  created_user_agent: 'or-null',
  initial_access_token_id: 'or-null',
  software_statement_issuer: 'or-null',
  software_id: 'or-null',
  software_version: 'or-null',
  registration_access_token_hash: 'or-null',
  registration_access_token_expires_at: 'or-null',
  version: 'required',
  trusted: 'required',
  resource_server: 'or-null',
}

/** As CLIENT_ROW; no column of tokens has a DEFAULT. */
const TOKEN_ROW: Shape<TokenRow> = {
  token_hash: 'or-null',
  kind: 'or-null',
  client_id: 'or-null',
  user_id: 'or-null',
  scope: 'or-null',
  resources: 'or-null',
  grant_id: 'or-null',
  issued_at: 'or-null',
  expires_at: 'or-null',
  revoked_at: 'or-null',
  rotated_at: 'or-null',
}

/** As CLIENT_ROW; no column of authorization_codes has a DEFAULT. */
const AUTHORIZATION_CODE_ROW: Shape<AuthorizationCodeRow> = {
  code_hash: 'or-null',
  client_id: 'or-null',
  user_id: 'or-null',
  redirect_uri: 'or-null',
  redirect_uri_in_request: 'or-null',
  scope: 'or-null',
  resources: 'or-null',
  code_challenge: 'or-null',
  auth_time: 'or-null',
  grant_id: 'or-null',
  issued_at: 'or-null',
  expires_at: 'or-null',
  consumed_at: 'or-null',
}

type HotQueries = ReturnType<typeof hotQueries>

/**
 * The statements of the busiest requests (token, authorize, introspection, registration),
 * compiled once per store instead of built on every call (compiled-query.ts). Each is the query
 * the method would otherwise build, with the same SQL.
 */
function hotQueries(db: Kysely<Database>) {
  return {
    insertClient: compileOnce(CLIENT_ROW, (row: ClientRow) => db.insertInto('clients').values(row)),
    getClient: compileOnce({ clientId: 'required' }, (args: { clientId: string }) =>
      db.selectFrom('clients').selectAll().where('client_id', '=', args.clientId),
    ),
    findClientByRegistrationAccessTokenHash: compileOnce(
      { tokenHash: 'required' },
      (args: { tokenHash: string }) =>
        db
          .selectFrom('clients')
          .selectAll()
          .where('registration_access_token_hash', '=', args.tokenHash),
    ),
    getUser: compileOnce({ id: 'required' }, (args: { id: string }) =>
      db.selectFrom('users').selectAll().where('id', '=', args.id),
    ),
    findSession: compileOnce(
      { idHash: 'required', now: 'required' },
      (args: { idHash: string; now: number }) =>
        db
          .selectFrom('sessions')
          .selectAll()
          .where('id_hash', '=', args.idHash)
          .where('expires_at', '>', args.now),
    ),
    findConsent: compileOnce(
      { userId: 'required', clientId: 'required' },
      (args: { userId: string; clientId: string }) =>
        db
          .selectFrom('consents')
          .selectAll()
          .where('user_id', '=', args.userId)
          .where('client_id', '=', args.clientId),
    ),
    insertAuthorizationCode: compileOnce(AUTHORIZATION_CODE_ROW, (row: AuthorizationCodeRow) =>
      db.insertInto('authorization_codes').values(row),
    ),
    consumeAuthorizationCode: compileOnce(
      { codeHash: 'required', now: 'required' },
      (args: { codeHash: string; now: number }) =>
        db
          .updateTable('authorization_codes')
          .set({ consumed_at: args.now })
          .where('code_hash', '=', args.codeHash)
          .where('consumed_at', 'is', null)
          .returningAll(),
    ),
    findAuthorizationCode: compileOnce({ codeHash: 'required' }, (args: { codeHash: string }) =>
      db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', args.codeHash),
    ),
    insertToken: compileOnce(TOKEN_ROW, (row: TokenRow) => db.insertInto('tokens').values(row)),
    // An access token with its refresh token: the other common case.
    insertTokenPair: compileOnce([TOKEN_ROW, TOKEN_ROW], (rows: readonly [TokenRow, TokenRow]) =>
      db.insertInto('tokens').values(rows),
    ),
    findToken: compileOnce({ tokenHash: 'required' }, (args: { tokenHash: string }) =>
      db.selectFrom('tokens').selectAll().where('token_hash', '=', args.tokenHash),
    ),
  }
}

/** All rows in one INSERT, compiled once for one or two rows; none inserts nothing. */
async function insertTokens(
  hot: HotQueries,
  on: Kysely<Database>,
  rows: readonly TokenRow[],
  runner: QueryRunner = on,
): Promise<void> {
  const [first, second] = rows
  if (first === undefined) return
  if (rows.length === 1) {
    await hot.insertToken.execute(runner, first)
  } else if (rows.length === 2 && second !== undefined) {
    await hot.insertTokenPair.execute(runner, [first, second])
  } else {
    await on.insertInto('tokens').values(rows).execute()
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
    trusted: flag(client.trusted),
    resource_server: client.resourceServer,
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
    trusted: readFlag(row.trusted, 'trusted'),
    resourceServer: row.resource_server,
  }
}

function initialAccessTokenToRow(
  token: InitialAccessTokenRecord,
): Insertable<InitialAccessTokensTable> {
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

function rowToInitialAccessToken(
  row: Selectable<InitialAccessTokensTable>,
): InitialAccessTokenRecord {
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

function userToRow(user: UserRecord): Insertable<UsersTable> {
  return {
    id: user.id,
    username: user.username,
    password_hash: user.passwordHash,
    created_at: integer(user.createdAt, 'createdAt'),
  }
}

function rowToUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: readInteger(row.created_at, 'created_at'),
  }
}

function sessionToRow(session: SessionRecord): Insertable<SessionsTable> {
  return {
    id_hash: session.idHash,
    user_id: session.userId,
    auth_time: integer(session.authTime, 'authTime'),
    created_at: integer(session.createdAt, 'createdAt'),
    expires_at: integer(session.expiresAt, 'expiresAt'),
  }
}

function rowToSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    authTime: readInteger(row.auth_time, 'auth_time'),
    createdAt: readInteger(row.created_at, 'created_at'),
    expiresAt: readInteger(row.expires_at, 'expires_at'),
  }
}

function consentToRow(consent: ConsentRecord): Insertable<ConsentsTable> {
  return {
    user_id: consent.userId,
    client_id: consent.clientId,
    scopes: JSON.stringify(consent.scopes),
    resources: JSON.stringify(consent.resources),
    granted_at: integer(consent.grantedAt, 'grantedAt'),
  }
}

function rowToConsent(row: Selectable<ConsentsTable>): ConsentRecord {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: readStringArray(row.scopes, 'scopes'),
    resources: readStringArray(row.resources, 'resources'),
    grantedAt: readInteger(row.granted_at, 'granted_at'),
  }
}

function codeToRow(code: AuthorizationCodeRecord): Insertable<AuthorizationCodesTable> {
  return {
    code_hash: code.codeHash,
    client_id: code.clientId,
    user_id: code.userId,
    redirect_uri: code.redirectUri,
    redirect_uri_in_request: flag(code.redirectUriInRequest),
    scope: code.scope,
    resources: JSON.stringify(code.resources),
    code_challenge: code.codeChallenge,
    auth_time: integer(code.authTime, 'authTime'),
    grant_id: code.grantId,
    issued_at: integer(code.issuedAt, 'issuedAt'),
    expires_at: integer(code.expiresAt, 'expiresAt'),
    consumed_at: nullableInteger(code.consumedAt, 'consumedAt'),
  }
}

function rowToCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    redirectUriInRequest: readFlag(row.redirect_uri_in_request, 'redirect_uri_in_request'),
    scope: row.scope,
    resources: readStringArray(row.resources, 'resources'),
    codeChallenge: row.code_challenge,
    authTime: readInteger(row.auth_time, 'auth_time'),
    grantId: row.grant_id,
    issuedAt: readInteger(row.issued_at, 'issued_at'),
    expiresAt: readInteger(row.expires_at, 'expires_at'),
    consumedAt: readNullableInteger(row.consumed_at, 'consumed_at'),
  }
}

function tokenToRow(token: TokenRecord): Insertable<TokensTable> {
  return {
    token_hash: token.tokenHash,
    kind: token.kind,
    client_id: token.clientId,
    user_id: token.userId,
    scope: token.scope,
    resources: JSON.stringify(token.resources),
    grant_id: token.grantId,
    issued_at: integer(token.issuedAt, 'issuedAt'),
    expires_at: nullableInteger(token.expiresAt, 'expiresAt'),
    revoked_at: nullableInteger(token.revokedAt, 'revokedAt'),
    rotated_at: nullableInteger(token.rotatedAt, 'rotatedAt'),
  }
}

function rowToToken(row: Selectable<TokensTable>): TokenRecord {
  return {
    tokenHash: row.token_hash,
    kind: row.kind,
    clientId: row.client_id,
    userId: row.user_id,
    scope: row.scope,
    resources: readStringArray(row.resources, 'resources'),
    grantId: row.grant_id,
    issuedAt: readInteger(row.issued_at, 'issued_at'),
    expiresAt: readNullableInteger(row.expires_at, 'expires_at'),
    revokedAt: readNullableInteger(row.revoked_at, 'revoked_at'),
    rotatedAt: readNullableInteger(row.rotated_at, 'rotated_at'),
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

function nullableInteger(value: number | null, name: string): number | null {
  return value === null ? null : integer(value, name)
}

function readNullableInteger(value: number | string | null, column: string): number | null {
  return value === null ? null : readInteger(value, column)
}

/** Booleans are integer 0/1 in every dialect (schema.ts); this and readFlag convert them. */
function flag(value: boolean): number {
  return value ? 1 : 0
}

function readFlag(value: number | string, column: string): boolean {
  const number = readInteger(value, column)
  if (number === 0) return false
  if (number === 1) return true
  throw new Error(`column ${column} holds ${String(value)}, which is not 0 or 1`)
}

/** Lists (scopes, resources) are JSON text: an array of strings, written by JSON.stringify. */
function readStringArray(text: string, column: string): readonly string[] {
  const value: unknown = JSON.parse(text)
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value
    if (items.every((item): item is string => typeof item === 'string')) return items
  }
  throw new Error(`column ${column} holds ${text}, which is not a JSON array of strings`)
}
