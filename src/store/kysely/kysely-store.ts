import type { Kysely } from 'kysely'
import type {
  AuthorizationCodeRecord,
  ClientRecord,
  ClientUpdateEffects,
  ConsentRecord,
  CreateClientResult,
  InitialAccessTokenRecord,
  ListClientsQuery,
  RedeemCodeResult,
  RotateRefreshTokenResult,
  SessionRecord,
  Store,
  TokenRecord,
  UserRecord,
} from '../../core/store/store.js'
import { flag, integer, nullableInteger } from './column-values.js'
import type { QueryRunner } from './compiled-query.js'
import type { HotQueries } from './hot-queries.js'
import { hotQueries, insertTokens } from './hot-queries.js'
import { assertSchemaCurrent } from './migrate.js'
import {
  clientToRow,
  codeToRow,
  consentToRow,
  initialAccessTokenToRow,
  rowToClient,
  rowToCode,
  rowToConsent,
  rowToInitialAccessToken,
  rowToSession,
  rowToToken,
  rowToUser,
  sessionToRow,
  tokenToRow,
  userToRow,
} from './rows.js'
import type { Database } from './schema.js'

/** Page size of listClients when the caller gives none, and the most it may ask for. */
const DEFAULT_LIST_LIMIT = 100
const MAX_LIST_LIMIT = 1000

const CREATED: CreateClientResult = { created: true }
const TOKEN_UNUSABLE: CreateClientResult = {
  created: false,
  reason: 'initial_access_token_unusable',
}
const REDEEMED: RedeemCodeResult = { status: 'redeemed' }
const CODE_NOT_FOUND: RedeemCodeResult = { status: 'not_found' }
const ROTATED: RotateRefreshTokenResult = { status: 'rotated' }
const TOKEN_NOT_FOUND: RotateRefreshTokenResult = { status: 'not_found' }

/**
 * The Store over Kysely: every query lives here or, compiled once, in hot-queries.ts, so that each
 * dialect runs the same ones. The store owns the Kysely instance it is given: close() destroys it.
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

  async updateClient(
    client: ClientRecord,
    expectedVersion: number,
    effects?: ClientUpdateEffects,
  ): Promise<boolean> {
    if (client.version !== expectedVersion + 1) {
      throw new RangeError(
        `updateClient: version must be ${expectedVersion + 1}, got ${client.version}`,
      )
    }
    const { client_id: _id, client_id_issued_at: _issued, ...changes } = clientToRow(client)
    const expected = integer(expectedVersion, 'expectedVersion')
    const revokeAt = nullableInteger(
      effects?.revokeRefreshTokensAt ?? null,
      'revokeRefreshTokensAt',
    )
    // One statement, compare-and-set on the version: the whole record changes or nothing does.
    const compareAndSet = async (db: Kysely<Database>) => {
      const updated = await db
        .updateTable('clients')
        .set(changes)
        .where('client_id', '=', client.clientId)
        .where('version', '=', expected)
        .executeTakeFirst()
      return updated.numUpdatedRows === 1n
    }
    if (effects?.deleteConsents !== true && revokeAt === null) return compareAndSet(this.#open())
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        // The client row first, as in deleteClient and saveConsent: its lock orders this against
        // a concurrent consent (store.ts), and a refused compare-and-set takes nothing with it.
        // Then tokens before consents, the order of deleteClient and deleteUser (no deadlock).
        if (!(await compareAndSet(trx))) return false
        if (revokeAt !== null) await revokeLiveRefreshTokens(trx, client.clientId, revokeAt)
        if (effects?.deleteConsents === true) {
          await trx.deleteFrom('consents').where('client_id', '=', client.clientId).execute()
        }
        return true
      })
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
        await trx.deleteFrom('sign_in_addresses').where('user_id', '=', id).execute()
        const deleted = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst()
        return deleted.numDeletedRows > 0n
      })
  }

  async recordSignIn(userId: string, addressKey: string, at: number): Promise<void> {
    const time = integer(at, 'at')
    // One upsert: concurrent sign-ins leave one row, and the time only ever moves forward.
    await this.#open()
      .insertInto('sign_in_addresses')
      .values({ user_id: userId, address_key: addressKey, last_sign_in_at: time })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'address_key'])
          .doUpdateSet({ last_sign_in_at: time })
          .where('sign_in_addresses.last_sign_in_at', '<', time),
      )
      .execute()
  }

  async hasSignedInFrom(userId: string, addressKey: string, since: number): Promise<boolean> {
    const row = await this.#open()
      .selectFrom('sign_in_addresses')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('address_key', '=', addressKey)
      .where('last_sign_in_at', '>=', integer(since, 'since'))
      .executeTakeFirst()
    return row !== undefined
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

  async saveConsent(
    consent: ConsentRecord,
    options?: { readonly clientVersion: number },
  ): Promise<boolean> {
    const row = consentToRow(consent)
    // One statement: two approvals racing end with one of them whole, never a mixture.
    const upsert = (db: Kysely<Database>) =>
      db
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
    if (options === undefined) {
      await upsert(this.#open())
      return true
    }
    const version = integer(options.clientVersion, 'clientVersion')
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        // A write that changes nothing, to hold the client row's lock at the version the user
        // was shown (SQLite has no SELECT … FOR SHARE): an updateClient that deletes consents
        // then runs wholly before this (the version moved: nothing saved) or wholly after (it
        // deletes what this saves).
        const held = await trx
          .updateTable('clients')
          .set((eb) => ({ version: eb.ref('version').$castTo<number>() }))
          .where('client_id', '=', consent.clientId)
          .where('version', '=', version)
          .executeTakeFirst()
        if (held.numUpdatedRows !== 1n) return false
        await upsert(trx)
        return true
      })
  }

  async findConsent(userId: string, clientId: string): Promise<ConsentRecord | null> {
    const { rows } = await this.#hot.findConsent.execute(this.#runner(), { userId, clientId })
    const row = rows[0]
    return row === undefined ? null : rowToConsent(row)
  }

  async createAuthorizationCode(code: AuthorizationCodeRecord): Promise<void> {
    await this.#hot.insertAuthorizationCode.execute(this.#runner(), codeToRow(code))
  }

  async findAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | null> {
    const { rows } = await this.#hot.findAuthorizationCode.execute(this.#runner(), { codeHash })
    const row = rows[0]
    return row === undefined ? null : rowToCode(row)
  }

  async redeemAuthorizationCode(
    codeHash: string,
    now: number,
    tokens: readonly TokenRecord[],
  ): Promise<RedeemCodeResult> {
    const consumption = { codeHash, now: integer(now, 'now') }
    // Converted (and checked) before the transaction begins; the caller made and signed them
    // before calling, so nothing slow runs while the transaction holds SQLite's connection or
    // PostgreSQL's row lock.
    const rows = tokens.map(tokenToRow)
    const hot = this.#hot
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        // Compare-and-set in one statement: the database re-evaluates `consumed_at IS NULL`
        // under the row's write lock, so of concurrent redemptions, in any number of processes,
        // exactly one updates the row; the others wait for it to commit and then see it used,
        // with its tokens already stored. A failed insert rolls the consumption back with it.
        const consumed = await hot.consumeAuthorizationCode.execute(trx, consumption)
        if (consumed.numAffectedRows === 1n) {
          await insertTokens(hot, trx, rows)
          return REDEEMED
        }
        const { rows: found } = await hot.findAuthorizationCode.execute(trx, { codeHash })
        const row = found[0]
        return row === undefined ? CODE_NOT_FOUND : { status: 'replayed', code: rowToCode(row) }
      })
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
        // Compare-and-set, as in redeemAuthorizationCode: of concurrent exchanges exactly one
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

/**
 * Revokes, at `at`, every refresh token of the client not yet revoked, in passes until one finds
 * none left. On PostgreSQL a pass sees only rows committed when it began: an exchange already
 * holding one of the tokens makes it wait, and the replacement that exchange then commits is
 * caught by the next pass. An exchange that starts later waits for the caller's transaction and
 * finds its token revoked. On SQLite, where writers take turns, the first pass revokes them all.
 */
async function revokeLiveRefreshTokens(
  trx: Kysely<Database>,
  clientId: string,
  at: number,
): Promise<void> {
  for (;;) {
    const pass = await trx
      .updateTable('tokens')
      .set({ revoked_at: at })
      .where('client_id', '=', clientId)
      .where('kind', '=', 'refresh')
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (pass.numUpdatedRows === 0n) return
  }
}

function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`listClients limit must be a positive integer, got ${limit}`)
  }
  return Math.min(limit, MAX_LIST_LIMIT)
}
