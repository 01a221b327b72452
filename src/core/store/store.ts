import type { RateLimiter } from '../rate-limit/rate-limiter.js'
import type { ClientMetadata } from '../registration/client-metadata.js'

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
  /**
   * A trusted software statement vouched for this client: it asserted the client's
   * `redirect_uris` itself, so they are the statement's, not the body's (docs/decisions.md A41).
   * A statement that leaves them to the body lends its name to whoever copies it: false then.
   * Recomputed on every RFC 7592 update.
   */
  readonly verifiedBySoftwareStatement: boolean
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
  /**
   * Marked trusted by an administrator (`registrar client trust`): skips the consent screen
   * (Django OAuth Toolkit's skip_authorization). Never set by registration: metadata is
   * self-asserted (RFC 7591 §5).
   */
  readonly trusted: boolean
  /**
   * The resource (RFC 8707 resource indicator) this client serves, an API or an MCP server: it
   * may introspect tokens whose audience is this URI. null for ordinary clients.
   */
  readonly resourceServer: string | null
}

/** An end user of the built-in login (standalone mode). */
export interface UserRecord {
  readonly id: string
  /** Unique, compared exactly (case-sensitive, no normalisation). */
  readonly username: string
  /** A self-describing memory-hard hash (scrypt; see core/users/password-hash.ts). */
  readonly passwordHash: string
  readonly createdAt: number
}

/** A signed-in browser session. The cookie holds the id; only its SHA-256 is stored. */
export interface SessionRecord {
  readonly idHash: string
  readonly userId: string
  /** When the user last entered their password (OIDC auth_time, prompt=login). */
  readonly authTime: number
  readonly createdAt: number
  readonly expiresAt: number
}

/** A user's remembered consent for one client (Django OAuth Toolkit's approval_prompt=auto). */
export interface ConsentRecord {
  readonly userId: string
  readonly clientId: string
  /** Every scope the user has granted this client (callers store them sorted). */
  readonly scopes: readonly string[]
  /** Every resource (RFC 8707) the user has granted this client (callers store them sorted). */
  readonly resources: readonly string[]
  readonly grantedAt: number
}

/** RFC 6749 §4.1.2 authorization code, bound to its PKCE challenge (RFC 7636 §4.4). */
export interface AuthorizationCodeRecord {
  /** SHA-256 of the code, base64url. */
  readonly codeHash: string
  readonly clientId: string
  readonly userId: string
  /** The redirect_uri the code was sent to (as requested, loopback port included). */
  readonly redirectUri: string
  /** Whether the authorization request carried redirect_uri (RFC 6749 §4.1.3 then requires it). */
  readonly redirectUriInRequest: boolean
  readonly scope: string
  /** RFC 8707 resources the tokens will be bound to; empty: none requested. */
  readonly resources: readonly string[]
  /** BASE64URL(SHA256(code_verifier)): only S256 is supported (docs/decisions.md A19). */
  readonly codeChallenge: string
  readonly authTime: number
  /** Tokens issued from this code carry this grant id, so a replay can revoke them all. */
  readonly grantId: string
  readonly issuedAt: number
  readonly expiresAt: number
  /** Set when the code is redeemed; a second redemption is a replay (RFC 6749 §4.1.2). */
  readonly consumedAt: number | null
}

/** An opaque access or refresh token. Only its SHA-256 is stored. */
export interface TokenRecord {
  readonly tokenHash: string
  readonly kind: 'access' | 'refresh'
  readonly clientId: string
  /** null for client_credentials tokens, which act for the client itself. */
  readonly userId: string | null
  readonly scope: string
  /** RFC 8707 audience: the resources the token is good for; empty: not audience-restricted. */
  readonly resources: readonly string[]
  /** Every token descended from one authorization (code, refresh chain) shares it. */
  readonly grantId: string
  readonly issuedAt: number
  /** null: does not expire. */
  readonly expiresAt: number | null
  readonly revokedAt: number | null
  /** Refresh tokens: when it was exchanged for a new one (RFC 9700 §4.14.2 rotation). */
  readonly rotatedAt: number | null
}

export type RedeemCodeResult =
  | { readonly status: 'redeemed' }
  /**
   * Already redeemed (or burned), by this caller's rival or long ago: the code as it is now,
   * consumedAt set. The caller treats it as a replay and revokes the grant (RFC 6749 §4.1.2,
   * §10.5).
   */
  | { readonly status: 'replayed'; readonly code: AuthorizationCodeRecord }
  | { readonly status: 'not_found' }

export type RotateRefreshTokenResult =
  | { readonly status: 'rotated' }
  /** Already rotated or revoked: reuse, and the caller revokes the family (RFC 9700 §4.14.2). */
  | { readonly status: 'reused'; readonly token: TokenRecord }
  | { readonly status: 'not_found' }

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

/**
 * What an RFC 7592 update takes away with it (docs/decisions.md A41), done by updateClient in
 * the transaction of its compare-and-set, and only if that succeeds.
 */
export interface ClientUpdateEffects {
  /** Delete every consent users gave the client: who it is, or where it sends them, changed. */
  readonly deleteConsents: boolean
  /**
   * Revoke, at this time (epoch seconds), every refresh token of the client not yet revoked: it
   * stopped authenticating (moved to `none`), and tokens issued while it had to no longer need a
   * credential to use. null: leave its tokens alone.
   */
  readonly revokeRefreshTokensAt: number | null
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
   *
   * `effects` are applied in the same transaction, after the compare-and-set and only if it
   * succeeded: no reader ever sees the new client with the consents or refresh tokens of the old
   * one, and a refused update deletes and revokes nothing. Races: a consent saved with
   * `clientVersion` (saveConsent) either commits first and is deleted here, or finds the version
   * moved and saves nothing; a refresh token exchanged concurrently either commits first (its
   * replacement is revoked here) or finds its token revoked (rotateRefreshToken: `reused`).
   * Tokens issued after the commit are not touched.
   */
  updateClient(
    client: ClientRecord,
    expectedVersion: number,
    effects?: ClientUpdateEffects,
  ): Promise<boolean>
  /**
   * Forgets the client's registration access token (RFC 7592 §2.1: a misused one is revoked).
   * Like every change to a client, it increments the version.
   */
  revokeRegistrationAccessToken(clientId: string): Promise<void>
  /**
   * Removes the client and everything issued to it: its registration access token, codes,
   * tokens and consents, in one transaction (used assertion jtis stay until they expire: they
   * only refuse replays). With `expectedVersion`, only if the client is still at that version,
   * so a DELETE authorised by a token that a concurrent update rotated out deletes nothing.
   * Returns false when nothing was deleted.
   */
  deleteClient(clientId: string, expectedVersion?: number): Promise<boolean>

  createInitialAccessToken(token: InitialAccessTokenRecord): Promise<void>
  findInitialAccessTokenByHash(tokenHash: string): Promise<InitialAccessTokenRecord | null>
  listInitialAccessTokens(): Promise<readonly InitialAccessTokenRecord[]>
  /** Returns false when there was no such token or it was already revoked. */
  revokeInitialAccessToken(id: string, now: number): Promise<boolean>

  /** Marks a client trusted or not (incrementing its version); false when there is no such client. */
  setClientTrusted(clientId: string, trusted: boolean): Promise<boolean>

  /** A duplicate username throws. */
  createUser(user: UserRecord): Promise<void>
  findUserByUsername(username: string): Promise<UserRecord | null>
  getUser(id: string): Promise<UserRecord | null>
  listUsers(): Promise<readonly UserRecord[]>
  /**
   * Removes the user with their sessions, consents, codes, tokens and the addresses they signed
   * in from; false when unknown.
   */
  deleteUser(id: string): Promise<boolean>

  /**
   * Remembers that the user signed in with their password from this address key (a client
   * address as core/rate-limit/address-key.ts counts it) at `at`, so that a username lock
   * someone else caused does not shut them out there (core/users/login-throttle.ts). One row per
   * (user, address key), holding the latest time: concurrent sign-ins from one address, in any
   * number of processes, leave one row with the latest of their times, never an earlier one.
   * Rows older than login-throttle's 30 days answer nothing and may be deleted.
   */
  recordSignIn(userId: string, addressKey: string, at: number): Promise<void>
  /**
   * Whether the user signed in from this address key at `since` or later. A read only: a
   * sign-in recorded concurrently may or may not be seen.
   */
  hasSignedInFrom(userId: string, addressKey: string, since: number): Promise<boolean>

  createSession(session: SessionRecord): Promise<void>
  /** The session with this id hash, if it exists and has not expired at `now`. */
  findSession(idHash: string, now: number): Promise<SessionRecord | null>
  deleteSession(idHash: string): Promise<void>

  /**
   * Inserts or replaces the consent of (userId, clientId); true when saved. With
   * `clientVersion`, only while the client is still at that version (the one the user was
   * shown), checked under the client row's lock in the same transaction: against an updateClient
   * that deletes consents, either this commits first and the update deletes it, or the update
   * does and this saves nothing and returns false (as for a client that is gone).
   */
  saveConsent(
    consent: ConsentRecord,
    options?: { readonly clientVersion: number },
  ): Promise<boolean>
  findConsent(userId: string, clientId: string): Promise<ConsentRecord | null>

  createAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>
  /**
   * The code with this hash, consumed or not, expired or not (the caller checks both); null when
   * there is none. A read only: what it says may be out of date by the time the caller acts on
   * it, which is why redeemAuthorizationCode decides.
   */
  findAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | null>
  /**
   * Redeems a code atomically: marks it consumed at `now` (only if it is not consumed yet) and
   * inserts `tokens` in the same transaction. Of concurrent redemptions, in any number of
   * processes sharing the database, exactly one caller gets `redeemed`; the others get
   * `replayed`, with the code as the winner left it, once the winner has committed, so a replay
   * always finds the winner's tokens to revoke. Empty `tokens` burns the code (a refused attempt
   * still uses it up); a code already consumed or gone stores nothing. When a token cannot be
   * stored, nothing is: the code stays unconsumed and the error is thrown.
   */
  redeemAuthorizationCode(
    codeHash: string,
    now: number,
    tokens: readonly TokenRecord[],
  ): Promise<RedeemCodeResult>

  /** Inserts tokens in one transaction: all or none. */
  createTokens(tokens: readonly TokenRecord[]): Promise<void>
  findToken(tokenHash: string): Promise<TokenRecord | null>
  /**
   * Exchanges a refresh token atomically: marks it rotated (only if neither rotated nor revoked)
   * and inserts the replacements in the same transaction. Of concurrent exchanges exactly one
   * gets `rotated`.
   */
  rotateRefreshToken(
    tokenHash: string,
    now: number,
    replacements: readonly TokenRecord[],
  ): Promise<RotateRefreshTokenResult>
  /** Revokes one token; false when unknown or already revoked. */
  revokeToken(tokenHash: string, now: number): Promise<boolean>
  /** Revokes every token of a grant (a replayed code, a reused refresh token, a revoked refresh token). */
  revokeGrant(grantId: string, now: number): Promise<void>

  /**
   * Records a private_key_jwt assertion's jti as used until `expiresAt` (RFC 7523 §3, decision
   * A26). Returns false if the same client already used it and it has not expired: a replay.
   */
  consumeAssertionJti(
    clientId: string,
    jti: string,
    expiresAt: number,
    now: number,
  ): Promise<boolean>

  /**
   * Resolves when the database answers and holds every migration this build needs; rejects
   * otherwise (StoreUnavailableError when it cannot be reached). GET /readyz is 503 meanwhile.
   */
  checkReady(): Promise<void>

  /**
   * Throws when this process can never use the store again, however long it waits: SQLite after
   * a failed sync of its log, when the kernel may have dropped what it was asked to write (see
   * sqlite/wal-sync.ts). GET /healthz is 503 then, so that an orchestrator restarts the process.
   * Must not touch the database: an outage that clears by itself is checkReady's business.
   * Absent: the store cannot fail that way.
   */
  checkAlive?(): void

  /**
   * A registration rate limiter whose buckets live in this store, so that every instance sharing
   * it counts together (PostgreSQL). Absent: createRegistrar counts in-process, per instance.
   */
  createRateLimiter?(limits: {
    readonly max: number
    readonly windowSeconds: number
    /** What is limited ('registration', 'login'), so that several limiters share the store. */
    readonly limiter?: string
  }): RateLimiter

  /** Releases connections; the store is unusable afterwards. Safe to call twice. */
  close(): Promise<void>
}
