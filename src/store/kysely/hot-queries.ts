import type { Kysely } from 'kysely'
import type { QueryRunner, Shape } from './compiled-query.js'
import { compileOnce } from './compiled-query.js'
import type { AuthorizationCodeRow, ClientRow, TokenRow } from './rows.js'
import type { Database } from './schema.js'

/**
 * Every column, in the order clientToRow writes them. 'or-null' binds an undefined value (only a
 * caller outside the types can pass one) as NULL, which is what Kysely's leaving the column out
 * stores for a column without DEFAULT. version, trusted and verified_by_software_statement have
 * one, but integer() and flag() never return undefined.
 */
export const CLIENT_ROW: Shape<ClientRow> = {
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
  verified_by_software_statement: 'required',
  software_id: 'or-null',
  software_version: 'or-null',
  registration_access_token_hash: 'or-null',
  registration_access_token_expires_at: 'or-null',
  version: 'required',
  trusted: 'required',
  resource_server: 'or-null',
}

/** As CLIENT_ROW; no column of tokens has a DEFAULT. */
export const TOKEN_ROW: Shape<TokenRow> = {
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
export const AUTHORIZATION_CODE_ROW: Shape<AuthorizationCodeRow> = {
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

export type HotQueries = ReturnType<typeof hotQueries>

/**
 * The statements of the busiest requests (token, authorize, introspection, registration),
 * compiled once per store instead of built on every call (compiled-query.ts). Each is the query
 * the method would otherwise build, with the same SQL.
 */
export function hotQueries(db: Kysely<Database>) {
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
    // Run in redeemAuthorizationCode's transaction; the caller reads numAffectedRows.
    consumeAuthorizationCode: compileOnce(
      { codeHash: 'required', now: 'required' },
      (args: { codeHash: string; now: number }) =>
        db
          .updateTable('authorization_codes')
          .set({ consumed_at: args.now })
          .where('code_hash', '=', args.codeHash)
          .where('consumed_at', 'is', null),
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
export async function insertTokens(
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
