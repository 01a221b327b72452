import type { CryptoKey, JWK } from 'jose'
import { importJWK, SignJWT } from 'jose'

/** The claims of an RFC 9068 access token, in registrar's terms. */
export interface AccessTokenClaims {
  readonly issuer: string
  /** The end user, or the client itself for client_credentials (RFC 9068 §2.2). */
  readonly subject: string
  /** The resources (RFC 8707) the token is for; never empty (see accessTokenAudience). */
  readonly audience: readonly string[]
  readonly clientId: string
  readonly scope: string
  readonly issuedAt: number
  readonly expiresAt: number
  readonly jti: string
}

export type AccessTokenSigner = (claims: AccessTokenClaims) => Promise<string>

/**
 * RFC 9068 §2.2: aud is required. A token bound to resources names them (RFC 8707 §2); one
 * bound to none is good at this server alone, so it names the issuer.
 */
export function accessTokenAudience(resources: readonly string[], issuer: string): string[] {
  return resources.length > 0 ? [...resources] : [issuer]
}

/**
 * Signs RFC 9068 JWT access tokens with the configured private key (validated at start-up by
 * resolveOptions: alg RS256, PS256, ES256 or EdDSA, a kid, a private member). The key is
 * imported once, on first use.
 */
export function createAccessTokenSigner(
  signingKey: Readonly<Record<string, unknown>>,
): AccessTokenSigner {
  const alg = String(signingKey.alg)
  const kid = String(signingKey.kid)
  let key: Promise<CryptoKey | Uint8Array> | undefined
  return async (claims) => {
    key ??= importJWK({ ...signingKey } as JWK, alg)
    const { audience } = claims
    return (
      new SignJWT({
        client_id: claims.clientId,
        ...(claims.scope === '' ? {} : { scope: claims.scope }),
      })
        // RFC 9068 §2.1: typ "at+jwt", so an access token cannot pass for an ID token or another JWT.
        .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .setIssuer(claims.issuer)
        .setSubject(claims.subject)
        // RFC 7519 §4.1.3: a single audience may be a string; several are an array.
        .setAudience(audience.length === 1 ? (audience[0] ?? claims.issuer) : [...audience])
        .setIssuedAt(claims.issuedAt)
        .setExpirationTime(claims.expiresAt)
        .setJti(claims.jti)
        .sign(await key)
    )
  }
}
