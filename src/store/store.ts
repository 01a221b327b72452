import type { ClientMetadata } from '../core/registration/client-metadata.js'

/**
 * The storage port. Protocol code sees only this interface; each backend (SQLite now, PostgreSQL
 * later) implements it and passes the one contract suite in test/store/contract.ts.
 * Times are epoch seconds (integers) throughout, as on the wire.
 */

/** How a client came to exist, so that operators can tell dynamic clients apart and clean up. */
export interface ClientProvenance {
  readonly origin: 'dynamic' | 'admin'
  /** What let the registration in: open registration, an initial access token, the host's hook. */
  readonly authorizedBy: 'open' | 'initial_access_token' | 'hook' | 'admin'
  readonly ip: string | null
  readonly userAgent: string | null
  readonly initialAccessTokenId: string | null
  /** `iss` of the verified software statement, when one was presented. */
  readonly softwareStatementIssuer: string | null
}

export interface ClientRecord {
  readonly clientId: string
  /** SHA-256 of the secret, base64url; null for clients without a secret. */
  readonly clientSecretHash: string | null
  /** 0 means the secret never expires (RFC 7591 §3.2.1). */
  readonly clientSecretExpiresAt: number
  readonly clientIdIssuedAt: number
  readonly updatedAt: number
  readonly metadata: ClientMetadata
  readonly provenance: ClientProvenance
  /**
   * SHA-256 of the RFC 7592 registration access token, base64url; null when the client cannot
   * manage its registration (management off, an administrator's client, a revoked token).
   */
  readonly registrationAccessTokenHash: string | null
  /** null: the token does not expire (RFC 7592 §5 recommends that). */
  readonly registrationAccessTokenExpiresAt: number | null
  /**
   * Starts at 1 and grows by one on each update: updateClient writes only over the version it
   * read, so two concurrent updates can never interleave into a mixture of both.
   */
  readonly version: number
}

export interface InitialAccessTokenRecord {
  readonly id: string
  /** SHA-256 of the token, base64url. The token itself is shown once and never stored. */
  readonly tokenHash: string
  readonly createdAt: number
  /** null: never expires. */
  readonly expiresAt: number | null
  /** null: unlimited. */
  readonly maxUses: number | null
  readonly uses: number
  readonly revokedAt: number | null
  readonly description: string | null
}

export interface ListClientsQuery {
  readonly origin?: 'dynamic' | 'admin'
  /** Clients issued strictly before this time (epoch seconds). */
  readonly issuedBefore?: number
  readonly limit?: number
  /** Keyset pagination: client ids strictly after this one, in client_id order. */
  readonly after?: string
}

export type CreateClientResult =
  | { readonly created: true }
  /** The initial access token was used up, expired or revoked between the check and the write. */
  | { readonly created: false; readonly reason: 'initial_access_token_unusable' }

export interface Store {
  /**
   * Inserts a client. With `consumeInitialAccessToken`, the token's use is counted in the same
   * transaction, atomically: when concurrent registrations race for its last use, exactly one
   * client is created and the others get `initial_access_token_unusable` with nothing written.
   */
  createClient(
    client: ClientRecord,
    options?: {
      readonly consumeInitialAccessToken?: { readonly id: string; readonly now: number }
    },
  ): Promise<CreateClientResult>
  getClient(clientId: string): Promise<ClientRecord | null>
  listClients(query?: ListClientsQuery): Promise<readonly ClientRecord[]>
  /** The client whose registration access token has this hash, if any (RFC 7592 §2). */
  findClientByRegistrationAccessTokenHash(tokenHash: string): Promise<ClientRecord | null>
  /**
   * Replaces the stored client with `client` (same clientId) only if the stored version is still
   * `expectedVersion`; `client.version` must be `expectedVersion + 1`. Returns false, writing
   * nothing, when the client is gone or another update got there first.
   */
  updateClient(client: ClientRecord, expectedVersion: number): Promise<boolean>
  /** Forgets the client's registration access token (RFC 7592 §2.1: a misused one is revoked). */
  revokeRegistrationAccessToken(clientId: string): Promise<void>
  /**
   * Removes the client and everything issued to it (its registration access token with it).
   * Returns false when there was no such client.
   */
  deleteClient(clientId: string): Promise<boolean>

  createInitialAccessToken(token: InitialAccessTokenRecord): Promise<void>
  findInitialAccessTokenByHash(tokenHash: string): Promise<InitialAccessTokenRecord | null>
  listInitialAccessTokens(): Promise<readonly InitialAccessTokenRecord[]>
  /** Returns false when there was no such token or it was already revoked. */
  revokeInitialAccessToken(id: string, now: number): Promise<boolean>

  /** Releases connections; the store is unusable afterwards. Safe to call twice. */
  close(): Promise<void>
}

/** A usable initial access token: not revoked, not expired, uses left (RFC 7591 §3). */
export function isInitialAccessTokenUsable(token: InitialAccessTokenRecord, now: number): boolean {
  if (token.revokedAt !== null) return false
  if (token.expiresAt !== null && token.expiresAt <= now) return false
  if (token.maxUses !== null && token.uses >= token.maxUses) return false
  return true
}
