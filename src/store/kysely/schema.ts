import type { ColumnType } from 'kysely'

/**
 * Table types for Kysely, in the database's own snake_case. Rows are converted to and from the
 * Store's records in one place, kysely-store.ts.
 *
 * Numeric columns are typed as `number | string` when read: epoch seconds are `bigint` so that
 * PostgreSQL does not overflow in 2038 (int4 tops out at 2147483647), and node-postgres returns
 * int8 as a string because it may exceed 2^53. Writes always take a number.
 */
type NumberColumn = ColumnType<number | string, number, number>
type NullableNumberColumn = ColumnType<number | string | null, number | null, number | null>
/**
 * A boolean as integer 0/1: SQLite has no boolean type and better-sqlite3 cannot bind one.
 * Converted in kysely-store.ts (flag / readFlag) and nowhere else.
 */
type FlagColumn = ColumnType<number | string, number, number>

export interface ClientsTable {
  client_id: string
  client_secret_hash: string | null
  client_secret_expires_at: NumberColumn
  client_id_issued_at: NumberColumn
  updated_at: NumberColumn
  /** JSON text of ClientMetadata, exactly as registered. */
  metadata: string
  origin: 'dynamic' | 'admin'
  authorized_by: 'open' | 'initial_access_token' | 'hook' | 'admin'
  created_ip: string | null
  created_user_agent: string | null
  initial_access_token_id: string | null
  software_statement_issuer: string | null
  /** 0/1: ClientProvenance.verifiedBySoftwareStatement (docs/decisions.md A41). */
  verified_by_software_statement: FlagColumn
  /** Copied from metadata so that operators can query by software without parsing JSON. */
  software_id: string | null
  software_version: string | null
  registration_access_token_hash: string | null
  registration_access_token_expires_at: NullableNumberColumn
  version: NumberColumn
  trusted: FlagColumn
  resource_server: string | null
}

export interface InitialAccessTokensTable {
  id: string
  token_hash: string
  created_at: NumberColumn
  expires_at: NullableNumberColumn
  max_uses: NullableNumberColumn
  /** Defaults to 0 in the database, so an insert may leave it out. */
  uses: ColumnType<number | string, number | undefined, number>
  revoked_at: NullableNumberColumn
  description: string | null
}

export interface UsersTable {
  id: string
  username: string
  password_hash: string
  created_at: NumberColumn
}

export interface SessionsTable {
  id_hash: string
  user_id: string
  auth_time: NumberColumn
  created_at: NumberColumn
  expires_at: NumberColumn
}

export interface ConsentsTable {
  user_id: string
  client_id: string
  /** JSON text: an array of strings. */
  scopes: string
  /** JSON text: an array of strings. */
  resources: string
  granted_at: NumberColumn
}

export interface AuthorizationCodesTable {
  code_hash: string
  client_id: string
  user_id: string
  redirect_uri: string
  redirect_uri_in_request: FlagColumn
  scope: string
  /** JSON text: an array of strings. */
  resources: string
  code_challenge: string
  auth_time: NumberColumn
  grant_id: string
  issued_at: NumberColumn
  expires_at: NumberColumn
  consumed_at: NullableNumberColumn
}

export interface TokensTable {
  token_hash: string
  kind: 'access' | 'refresh'
  client_id: string
  user_id: string | null
  scope: string
  /** JSON text: an array of strings. */
  resources: string
  grant_id: string
  issued_at: NumberColumn
  expires_at: NullableNumberColumn
  revoked_at: NullableNumberColumn
  rotated_at: NullableNumberColumn
}

export interface AssertionJtisTable {
  client_id: string
  jti: string
  expires_at: NumberColumn
}

/** Migration 0005: where each user has signed in from (Store.recordSignIn). */
export interface SignInAddressesTable {
  user_id: string
  /** core/rate-limit/address-key.ts: an IPv4 address or an IPv6 prefix. */
  address_key: string
  last_sign_in_at: NumberColumn
}

export interface Database {
  clients: ClientsTable
  initial_access_tokens: InitialAccessTokensTable
  users: UsersTable
  sessions: SessionsTable
  consents: ConsentsTable
  authorization_codes: AuthorizationCodesTable
  tokens: TokensTable
  assertion_jtis: AssertionJtisTable
  sign_in_addresses: SignInAddressesTable
}
