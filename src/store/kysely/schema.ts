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
  /** Copied from metadata so that operators can query by software without parsing JSON. */
  software_id: string | null
  software_version: string | null
  registration_access_token_hash: string | null
  registration_access_token_expires_at: NullableNumberColumn
  version: NumberColumn
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

export interface Database {
  clients: ClientsTable
  initial_access_tokens: InitialAccessTokensTable
}
