import type { ClientRecord, Store } from '../store/store.js'
import type { TokenIssuerDeps } from '../tokens/issue-tokens.js'
import type { LoginThrottle } from '../users/login-throttle.js'

/** Signs of stolen credentials, for the server log (the core itself logs nothing). */
export interface SecurityEvent {
  readonly kind: 'authorization_code_replayed' | 'refresh_token_reused'
  readonly clientId: string
  readonly grantId: string
}

/** What the grants need: the store, the clock, token settings, and somewhere to report theft. */
export interface GrantDeps extends TokenIssuerDeps {
  readonly store: Store
  readonly now: () => number
  /** docs/decisions.md A22: seconds an already-rotated refresh token is forgiven; 0: never. */
  readonly refreshTokenReuseGraceSeconds: number
  /** options.authorization.password: the password grant exists on this server at all. */
  readonly passwordGrant: boolean
  /** Password grants go through the sign-in page's throttle and hash cap (login-throttle.ts). */
  readonly loginThrottle: LoginThrottle
  readonly onSecurityEvent: (event: SecurityEvent) => void
}

/**
 * RFC 9700 §4.14.2 leaves it to the server, per client, whether refresh tokens are issued: here,
 * to the clients that registered the refresh_token grant (RFC 7591 §2), and never for
 * client_credentials (RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included").
 */
export function offersRefreshTokens(client: ClientRecord): boolean {
  return client.metadata.grant_types.includes('refresh_token')
}

/** What the HTTP layer knows about a token request beyond its parameters. */
export interface TokenRequestContext {
  /** The client's address (after trusted proxies), for throttling password guesses. */
  readonly ip: string | null
}
