import type { Kysely, Migration } from 'kysely'

/**
 * ClientProvenance.verifiedBySoftwareStatement (docs/decisions.md A41): whether a trusted software
 * statement asserted the client's redirect_uris itself, which is what makes its name and logo
 * verified on the consent page. Frozen once released, like every migration.
 *
 * Existing clients are backfilled, not all set to false: a client whose stored statement asserts
 * exactly its redirect_uris was vouched for in the same way as one registered after this
 * migration, and marking it unverified would put the warning in front of users of every vetted
 * client on upgrade. The stored statement is read without checking its signature again because
 * registration and RFC 7592 updates store only a statement that verified, whose claims then won
 * over the body (A31); every other client, and any stored value that does not decode, gets false,
 * the side that warns.
 */

/** The columns this migration reads, as they were when it was written. */
interface ClientsAtVersion6 {
  clients: {
    client_id: string
    metadata: string
    software_statement_issuer: string | null
    verified_by_software_statement: number
  }
}

// Keyset pages keep memory flat however many clients registered with a statement.
const PAGE_SIZE = 500

export const clientVerification: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('clients')
      .addColumn('verified_by_software_statement', 'integer', (col) => col.notNull().defaultTo(0))
      .execute()

    const clients = db as unknown as Kysely<ClientsAtVersion6>
    let after = ''
    for (;;) {
      const page = await clients
        .selectFrom('clients')
        .select(['client_id', 'metadata'])
        .where('software_statement_issuer', 'is not', null)
        .where('client_id', '>', after)
        .orderBy('client_id')
        .limit(PAGE_SIZE)
        .execute()
      const verified = page.filter((row) => statementAssertsRedirectUris(row.metadata))
      if (verified.length > 0) {
        await clients
          .updateTable('clients')
          .set({ verified_by_software_statement: 1 })
          .where(
            'client_id',
            'in',
            verified.map((row) => row.client_id),
          )
          .execute()
      }
      const last = page.at(-1)
      if (last === undefined || page.length < PAGE_SIZE) return
      after = last.client_id
    }
  },
}

/**
 * Whether the stored software_statement's payload asserts the client's redirect_uris: the same
 * set, since registration drops repeated URIs from what it stores.
 */
function statementAssertsRedirectUris(metadataJson: string): boolean {
  try {
    const metadata: unknown = JSON.parse(metadataJson)
    if (typeof metadata !== 'object' || metadata === null) return false
    const { software_statement: statement, redirect_uris: registered } = metadata as Record<
      string,
      unknown
    >
    if (typeof statement !== 'string' || !Array.isArray(registered)) return false
    // RFC 7515 §7.1: header.payload.signature; the payload is base64url JSON (RFC 7519 §7.2).
    const payload: unknown = JSON.parse(
      Buffer.from(statement.split('.')[1] ?? '', 'base64url').toString('utf8'),
    )
    if (typeof payload !== 'object' || payload === null) return false
    const asserted = (payload as Record<string, unknown>).redirect_uris
    if (!Array.isArray(asserted)) return false
    const stored = new Set<unknown>(registered)
    return (
      new Set<unknown>(asserted).size === stored.size && asserted.every((uri) => stored.has(uri))
    )
  } catch {
    return false
  }
}
