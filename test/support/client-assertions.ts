import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/core/client-auth/verify-client-assertion.js'
import { nowSeconds } from './http-helpers.js'
import { random } from './token-helpers.js'

export interface SigningKey {
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
  readonly kid: string
  readonly alg: string
}

/** A fresh asymmetric key pair; the public half as a JWK with kid, alg and use. */
export async function makeSigningKey(alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = random().slice(0, 16)
  return {
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    kid,
    alg,
  }
}

/**
 * A private_key_jwt assertion for `clientId`, valid by default (RFC 7523 §3): iss = sub =
 * client_id, aud the given audience, exp in a minute, a fresh jti. `claims` overrides or,
 * with `undefined`, removes claims.
 */
export function signAssertion(
  key: SigningKey,
  clientId: string,
  audience: string | string[],
  claims: Readonly<Record<string, unknown>> = {},
  header: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  const now = nowSeconds()
  const payload: Record<string, unknown> = {
    iss: clientId,
    sub: clientId,
    aud: audience,
    exp: now + 60,
    iat: now,
    jti: random(),
    ...claims,
  }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete payload[name]
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey)
}

/** The same claims as signAssertion, as an unsecured JWT (RFC 7519 §6, alg none). */
export function unsecuredAssertion(clientId: string, audience: string): string {
  const now = nowSeconds()
  return new UnsecuredJWT({ sub: clientId, jti: random() })
    .setIssuer(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .encode()
}

/** The form members of an assertion (RFC 7523 §2.2). */
export function assertionForm(assertion: string): Record<string, string> {
  return { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion }
}
