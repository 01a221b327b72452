import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose'
import { errors, jwtVerify } from 'jose'

/**
 * Verifies a signed JWT against a key set (jose's `createLocalJWKSet` / `createRemoteJWKSet`, or
 * a resolver wrapping one) and returns its claims; jose's errors are thrown unchanged, for the
 * caller to put in its own protocol's words.
 *
 * jose leaves the choice among several keys that fit the header (no kid, a kid shared across a
 * key rotation; RFC 7515 §4.1.4 makes kid optional) to the caller: the key set throws
 * JWKSMultipleMatchingKeys, which iterates the candidates. Each is tried, and only a signature
 * mismatch moves on to the next: any other failure (exp, nbf, a bad claim) comes from the key
 * that did sign, so it is the answer. When no candidate verifies, the failure is the signature's.
 */
export async function verifyAgainstKeySet(
  jwt: string,
  getKey: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(jwt, getKey, options)).payload
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error
    for await (const key of error) {
      try {
        return (await jwtVerify(jwt, key, options)).payload
      } catch (inner) {
        if (inner instanceof errors.JWSSignatureVerificationFailed) continue
        throw inner
      }
    }
    throw new errors.JWSSignatureVerificationFailed()
  }
}
