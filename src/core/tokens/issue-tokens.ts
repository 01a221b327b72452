import { randomToken } from '../crypto/random-token.js'
import { newTimeKeyedToken, timeKeyedDigest } from '../crypto/time-keyed-token.js'
import type { TokenRecord } from '../store/store.js'
import type { AccessTokenSigner } from './jwt-access-token.js'
import { accessTokenAudience } from './jwt-access-token.js'

export interface TokenIssuerDeps {
  readonly issuer: string
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenTtlSeconds: number
  /** Signs RFC 9068 access tokens when tokens.format is 'jwt'; null: opaque access tokens. */
  readonly signAccessToken: AccessTokenSigner | null
}

/** What one token response covers: who, for what, and whether a refresh token comes with it. */
export interface TokenGrant {
  readonly clientId: string
  /** null for client_credentials: the client acts for itself. */
  readonly userId: string | null
  readonly grantId: string
  /** The access token's scope tokens. */
  readonly scope: readonly string[]
  /** The access token's resources (RFC 8707 audience); empty: not audience-restricted. */
  readonly resources: readonly string[]
  /**
   * The refresh token's scope and resources: the whole grant, even when the access token asks
   * for less (RFC 8707 §2.2, OAuth 2.1 §4.3.3). null: no refresh token.
   */
  readonly refresh: { readonly scope: string; readonly resources: readonly string[] } | null
}

/** RFC 6749 §5.1, the successful token response. */
export interface TokenResponse {
  readonly access_token: string
  readonly token_type: 'Bearer'
  readonly expires_in: number
  readonly scope?: string
  readonly refresh_token?: string
}

export interface IssuedTokens {
  readonly response: TokenResponse
  /** To be stored: only hashes, never the tokens themselves. */
  readonly records: readonly TokenRecord[]
}

/**
 * Makes the tokens of one response. Opaque tokens are 256 random bits (RFC 6749 §10.10 asks for
 * at most 2^-128 odds of guessing); JWT access tokens (RFC 9068) are stored by the hash of the
 * JWT too, so that revocation and introspection treat both formats alike. Nothing is stored
 * here: the grant decides how (createTokens, or rotateRefreshToken atomically with the rotation).
 */
export async function issueTokens(
  deps: TokenIssuerDeps,
  grant: TokenGrant,
  now: number,
): Promise<IssuedTokens> {
  const scope = grant.scope.join(' ')
  const accessExpiresAt = now + deps.accessTokenTtlSeconds
  const accessToken =
    deps.signAccessToken === null
      ? newTimeKeyedToken()
      : await deps.signAccessToken({
          issuer: deps.issuer,
          subject: grant.userId ?? grant.clientId,
          audience: accessTokenAudience(grant.resources, deps.issuer),
          clientId: grant.clientId,
          scope,
          issuedAt: now,
          expiresAt: accessExpiresAt,
          jti: randomToken(16),
        })
  const records: TokenRecord[] = [
    {
      tokenHash: timeKeyedDigest(accessToken),
      kind: 'access',
      clientId: grant.clientId,
      userId: grant.userId,
      scope,
      resources: [...grant.resources],
      grantId: grant.grantId,
      issuedAt: now,
      expiresAt: accessExpiresAt,
      revokedAt: null,
      rotatedAt: null,
    },
  ]
  let refreshToken: string | null = null
  if (grant.refresh !== null) {
    refreshToken = newTimeKeyedToken()
    records.push({
      tokenHash: timeKeyedDigest(refreshToken),
      kind: 'refresh',
      clientId: grant.clientId,
      userId: grant.userId,
      scope: grant.refresh.scope,
      resources: [...grant.refresh.resources],
      grantId: grant.grantId,
      issuedAt: now,
      expiresAt: now + deps.refreshTokenTtlSeconds,
      revokedAt: null,
      rotatedAt: null,
    })
  }
  return {
    response: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: deps.accessTokenTtlSeconds,
      // RFC 6749 §5.1: scope is OPTIONAL when it equals the request; sent always, so the client
      // never has to guess what it got. A token with no scope at all has nothing to say.
      ...(scope === '' ? {} : { scope }),
      ...(refreshToken === null ? {} : { refresh_token: refreshToken }),
    },
    records,
  }
}
