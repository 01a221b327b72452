import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { rateLimitBuckets } from './0003_rate_limits.js'
import { oauthFlows } from './0004_oauth_flows.js'
import { signInAddresses } from './0005_sign_in_addresses.js'
import { clientVerification } from './0006_client_verification.js'

/**
 * Every schema change registrar has ever made, in order. Migrations live in code rather than in a
 * folder so that the published package needs no file-system lookup, and they use only the schema
 * builder so that the same steps run on SQLite and PostgreSQL.
 *
 * A migration is frozen once released: it is written against the schema as it was then (hence
 * `Kysely<unknown>`, not the current Database type), and changes go in a new, later-named one.
 * Migrations only go forward: nothing in registrar migrates down, so none has a `down`.
 */

const clientsAndInitialAccessTokens: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('initial_access_tokens')
      // SQLite lets a non-INTEGER primary key hold NULL unless told otherwise.
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('token_hash', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('max_uses', 'integer')
      .addColumn('uses', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('revoked_at', 'bigint')
      .addColumn('description', 'text')
      .addUniqueConstraint('initial_access_tokens_token_hash_key', ['token_hash'])
      .execute()

    await db.schema
      .createTable('clients')
      .addColumn('client_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('client_secret_hash', 'text')
      .addColumn('client_secret_expires_at', 'bigint', (col) => col.notNull())
      .addColumn('client_id_issued_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addColumn('metadata', 'text', (col) => col.notNull())
      .addColumn('origin', 'text', (col) => col.notNull())
      .addColumn('authorized_by', 'text', (col) => col.notNull())
      .addColumn('created_ip', 'text')
      .addColumn('created_user_agent', 'text')
      .addColumn('initial_access_token_id', 'text')
      .addColumn('software_statement_issuer', 'text')
      .addColumn('software_id', 'text')
      .addColumn('software_version', 'text')
      .execute()

    // Serves the operator's "dynamic clients issued before T" clean-up listing.
    await db.schema
      .createIndex('clients_origin_client_id_issued_at_idx')
      .on('clients')
      .columns(['origin', 'client_id_issued_at'])
      .execute()
  },
}

/** RFC 7592: each client's registration access token, and a version for optimistic updates. */
const registrationManagement: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('clients')
      .addColumn('registration_access_token_hash', 'text')
      .execute()
    await db.schema
      .alterTable('clients')
      .addColumn('registration_access_token_expires_at', 'bigint')
      .execute()
    await db.schema
      .alterTable('clients')
      .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
      .execute()
    // Unique: a token names one client. NULLs (clients without a token) do not collide, on
    // SQLite and PostgreSQL alike.
    await db.schema
      .createIndex('clients_registration_access_token_hash_key')
      .on('clients')
      .column('registration_access_token_hash')
      .unique()
      .execute()
  },
}

/** Names sort in the order they must run; Kysely applies them by name. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_clients_and_initial_access_tokens': clientsAndInitialAccessTokens,
  '0002_registration_management': registrationManagement,
  '0003_rate_limits': rateLimitBuckets,
  '0004_oauth_flows': oauthFlows,
  '0005_sign_in_addresses': signInAddresses,
  '0006_client_verification': clientVerification,
}

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...migrations }
  },
}
