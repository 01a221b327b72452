import type { Kysely, Migration } from 'kysely'

/**
 * The addresses each user has signed in from with their password (Store.recordSignIn), so that
 * the owner of an account keeps signing in from where they always do while someone elsewhere
 * has locked the username with wrong passwords (core/users/login-throttle.ts). One row per
 * (user, address key): an address key is an IPv4 address or an IPv6 /64 (the configured prefix),
 * as core/rate-limit/address-key.ts writes it. Frozen once released, like every migration.
 *
 * The primary key serves both queries: hasSignedInFrom looks up (user_id, address_key) and
 * compares the time, and deleteUser deletes by its leading column. Rows older than 30 days
 * answer nothing (the throttle asks only about the last 30 days); deleting them is the pruning
 * job's, which does not exist yet: an index on last_sign_in_at would serve it, and would cost
 * every sign-in an index write meanwhile, so it is left for then.
 */
export const signInAddresses: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sign_in_addresses')
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('address_key', 'text', (col) => col.notNull())
      // Epoch seconds, bigint as everywhere (int4 ends in 2038).
      .addColumn('last_sign_in_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('sign_in_addresses_pkey', ['user_id', 'address_key'])
      .execute()
  },
}
