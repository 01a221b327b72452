import type { Kysely, Migration } from 'kysely'

/**
 * What the authorization server itself needs beyond registration: users and their browser
 * sessions (standalone login), remembered consents, authorization codes, access and refresh
 * tokens, and the jtis of private_key_jwt assertions already used. Frozen once released, like
 * every migration, and written with the schema builder only so that it runs on SQLite and
 * PostgreSQL alike.
 *
 * Choices that keep both dialects identical:
 * - booleans are `integer` 0/1: SQLite has no boolean type and better-sqlite3 cannot bind one;
 * - epoch seconds are `bigint` (PostgreSQL's int4 ends in 2038);
 * - lists (scopes of a consent, resources) are JSON text, read and written in kysely-store.ts;
 * - no foreign keys: deleting a client or a user removes what hangs off it in one transaction
 *   in kysely-store.ts, and codes, tokens and sessions are looked up by their hash alone.
 * Every index serves a query of kysely-store.ts, named in its comment.
 */
export const oauthFlows: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Set by an administrator only (`registrar client trust`); existing clients are not trusted.
    await db.schema
      .alterTable('clients')
      .addColumn('trusted', 'integer', (col) => col.notNull().defaultTo(0))
      .execute()
    await db.schema.alterTable('clients').addColumn('resource_server', 'text').execute()

    await db.schema
      .createTable('users')
      // SQLite lets a non-INTEGER primary key hold NULL unless told otherwise.
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('username', 'text', (col) => col.notNull())
      .addColumn('password_hash', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('users_username_key', ['username'])
      .execute()

    await db.schema
      .createTable('sessions')
      .addColumn('id_hash', 'text', (col) => col.primaryKey().notNull())
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('auth_time', 'bigint', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .execute()
    // deleteUser.
    await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute()

    await db.schema
      .createTable('consents')
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('client_id', 'text', (col) => col.notNull())
      .addColumn('scopes', 'text', (col) => col.notNull())
      .addColumn('resources', 'text', (col) => col.notNull())
      .addColumn('granted_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('consents_pkey', ['user_id', 'client_id'])
      .execute()
    // deleteClient (deleteUser uses the primary key's leading column).
    await db.schema
      .createIndex('consents_client_id_idx')
      .on('consents')
      .column('client_id')
      .execute()

    await db.schema
      .createTable('authorization_codes')
      .addColumn('code_hash', 'text', (col) => col.primaryKey().notNull())
      .addColumn('client_id', 'text', (col) => col.notNull())
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('redirect_uri', 'text', (col) => col.notNull())
      .addColumn('redirect_uri_in_request', 'integer', (col) => col.notNull())
      .addColumn('scope', 'text', (col) => col.notNull())
      .addColumn('resources', 'text', (col) => col.notNull())
      .addColumn('code_challenge', 'text', (col) => col.notNull())
      .addColumn('auth_time', 'bigint', (col) => col.notNull())
      .addColumn('grant_id', 'text', (col) => col.notNull())
      .addColumn('issued_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .addColumn('consumed_at', 'bigint')
      .execute()
    // deleteClient, deleteUser, and finding the codes of a grant.
    await db.schema
      .createIndex('authorization_codes_client_id_idx')
      .on('authorization_codes')
      .column('client_id')
      .execute()
    await db.schema
      .createIndex('authorization_codes_user_id_idx')
      .on('authorization_codes')
      .column('user_id')
      .execute()
    await db.schema
      .createIndex('authorization_codes_grant_id_idx')
      .on('authorization_codes')
      .column('grant_id')
      .execute()

    await db.schema
      .createTable('tokens')
      .addColumn('token_hash', 'text', (col) => col.primaryKey().notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('client_id', 'text', (col) => col.notNull())
      .addColumn('user_id', 'text')
      .addColumn('scope', 'text', (col) => col.notNull())
      .addColumn('resources', 'text', (col) => col.notNull())
      .addColumn('grant_id', 'text', (col) => col.notNull())
      .addColumn('issued_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('rotated_at', 'bigint')
      .execute()
    // revokeGrant, deleteClient, deleteUser.
    await db.schema.createIndex('tokens_grant_id_idx').on('tokens').column('grant_id').execute()
    await db.schema.createIndex('tokens_client_id_idx').on('tokens').column('client_id').execute()
    await db.schema.createIndex('tokens_user_id_idx').on('tokens').column('user_id').execute()

    await db.schema
      .createTable('assertion_jtis')
      .addColumn('client_id', 'text', (col) => col.notNull())
      .addColumn('jti', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('assertion_jtis_pkey', ['client_id', 'jti'])
      .execute()
  },
}
