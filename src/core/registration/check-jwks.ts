import type { JsonWebKey } from 'node:crypto'
import { createPublicKey } from 'node:crypto'
import { invalidClientMetadata, quote } from '../../errors.js'
import { parseAbsoluteUri } from '../redirect-uri/parse-absolute-uri.js'
import type { JsonWebKeySet } from './client-metadata.js'

// RFC 7517 §6.2.2, §6.3.2, §6.4: members that only a private or symmetric key carries.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/**
 * RFC 7591 §2: jwks must hold a valid JWK Set of the client's public keys, and jwks and
 * jwks_uri "MUST NOT both be present". OpenID Connect Registration §2 forbids private and
 * symmetric keys here: the set is published to the server, a private key in it is a leak.
 */
export function checkJwks(jwks: JsonWebKeySet | undefined, jwksUri: string | undefined): void {
  if (jwks !== undefined && jwksUri !== undefined) {
    throw invalidClientMetadata('jwks and jwks_uri must not both be present (RFC 7591 §2)')
  }
  if (jwksUri !== undefined) {
    const url = parseAbsoluteUri(jwksUri, 'jwks_uri', invalidClientMetadata)
    if (url.protocol !== 'https:') {
      throw invalidClientMetadata(`jwks_uri must be an https URL: ${quote(jwksUri)}`)
    }
  }
  if (jwks === undefined) return
  jwks.keys.forEach((key, index) => {
    const field = `jwks.keys[${index}]`
    if (typeof key.kty !== 'string') throw invalidClientMetadata(`${field}.kty must be a string`)
    if (key.kty === 'oct') {
      throw invalidClientMetadata(`${field} is a symmetric key; jwks must hold public keys only`)
    }
    for (const member of PRIVATE_MEMBERS) {
      if (member in key) {
        throw invalidClientMetadata(
          `${field} contains the private member '${member}'; jwks must hold public keys only`,
        )
      }
    }
    // Node's JWK import checks the members each kty needs (n and e for RSA, crv, x and y for EC…),
    // so a key that cannot be used for verification is refused now, not at the token endpoint.
    try {
      createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
    } catch {
      throw invalidClientMetadata(`${field} is not a valid public JWK (RFC 7517)`)
    }
  })
}
