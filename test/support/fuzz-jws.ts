import type { CryptoKey } from 'jose'
import { jsonText } from './fuzz-values.js'

/**
 * Signs any header and payload as a compact ES256 JWS (RFC 7515 §7.1, RFC 7518 §3.4), written
 * by hand rather than with jose's SignJWT: jose refuses to sign what a fuzzer wants to send (an
 * unknown `crit`, claims of the wrong type) and cannot write a number JavaScript cannot hold.
 * Both parts are jsonText, so a JsonLiteral such as 1e400 arrives as written; a string is used
 * as the raw payload text (not JSON at all, if the fuzzer says so).
 */
export async function signEs256(
  header: Readonly<Record<string, unknown>>,
  payload: unknown,
  privateKey: CryptoKey,
): Promise<string> {
  const encodedHeader = Buffer.from(jsonText(header)).toString('base64url')
  const payloadText = typeof payload === 'string' ? payload : jsonText(payload)
  const signingInput = `${encodedHeader}.${Buffer.from(payloadText).toString('base64url')}`
  // WebCrypto's ECDSA signature is r || s, 64 bytes: exactly the JWS form (RFC 7518 §3.4).
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(signingInput),
  )
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`
}
