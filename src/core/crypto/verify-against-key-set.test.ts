import type { CryptoKey, JWK, JWTVerifyGetKey } from 'jose'
import { createLocalJWKSet, errors, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { verifyAgainstKeySet } from './verify-against-key-set.js'

const NOW = 1_800_000_000
const ALGORITHMS = ['ES256', 'RS256'] as const
const CURRENT_DATE = new Date(NOW * 1000)

interface KeyPair {
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
}

async function keyPair(alg: 'ES256' | 'RS256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { privateKey, publicJwk: await exportJWK(publicKey) }
}

type Signer = 'old' | 'new' | 'rsa' | 'stranger'

// Two EC keys of one issuer mid-rotation, an RSA key, and a key no set holds.
let pairs: Readonly<Record<Signer, KeyPair>>

beforeAll(async () => {
  pairs = {
    old: await keyPair('ES256'),
    new: await keyPair('ES256'),
    rsa: await keyPair('RS256'),
    stranger: await keyPair('ES256'),
  }
})

interface Case {
  readonly rule: string
  /** The set's keys, by pair, each with the kid given (null: no kid). */
  readonly keys: readonly (readonly [Signer, string | null])[]
  readonly signer: Signer
  readonly alg?: 'ES256' | 'RS256'
  readonly algorithms?: readonly string[]
  readonly kid?: string
  readonly exp?: number
  /** The jose error class expected, or null when the JWT verifies. */
  readonly fails: null | (new (...args: never[]) => Error)
}

const CASES: readonly Case[] = [
  {
    rule: 'a kid names the one key to verify with',
    keys: [
      ['old', 'k-old'],
      ['new', 'k-new'],
    ],
    signer: 'new',
    kid: 'k-new',
    fails: null,
  },
  {
    rule: 'without a kid, every key that fits the alg is tried: the first signed it',
    keys: [
      ['old', null],
      ['new', null],
    ],
    signer: 'old',
    fails: null,
  },
  {
    rule: 'without a kid, every key that fits the alg is tried: the last signed it (rotation)',
    keys: [
      ['old', null],
      ['new', null],
    ],
    signer: 'new',
    fails: null,
  },
  {
    rule: 'a kid shared by two keys (RFC 7515 §4.1.4 does not forbid it) tries both',
    keys: [
      ['old', 'k'],
      ['new', 'k'],
    ],
    signer: 'new',
    kid: 'k',
    fails: null,
  },
  {
    rule: 'the alg narrows the candidates to keys of its type (RSA next to EC)',
    keys: [
      ['old', null],
      ['rsa', null],
      ['new', null],
    ],
    signer: 'rsa',
    alg: 'RS256',
    fails: null,
  },
  {
    rule: 'when no candidate signed it, the failure is the signature',
    keys: [
      ['old', null],
      ['new', null],
    ],
    signer: 'stranger',
    fails: errors.JWSSignatureVerificationFailed,
  },
  {
    rule: 'one fitting key that did not sign it: the failure is the signature',
    keys: [['old', 'k-old']],
    signer: 'stranger',
    kid: 'k-old',
    fails: errors.JWSSignatureVerificationFailed,
  },
  {
    rule: 'a failure other than the signature, from the key that signed, is the answer (exp)',
    keys: [
      ['old', null],
      ['new', null],
    ],
    signer: 'new',
    exp: NOW - 1,
    fails: errors.JWTExpired,
  },
  {
    rule: 'a kid the set does not hold matches no key',
    keys: [
      ['old', 'k-old'],
      ['new', 'k-new'],
    ],
    signer: 'new',
    kid: 'k-gone',
    fails: errors.JWKSNoMatchingKey,
  },
  {
    rule: 'an alg outside the allowed algorithms is refused before any key is looked up',
    keys: [['rsa', null]],
    signer: 'rsa',
    alg: 'RS256',
    algorithms: ['ES256'],
    fails: errors.JOSEAlgNotAllowed,
  },
]

function keySet(keys: Case['keys']): JWTVerifyGetKey {
  return createLocalJWKSet({
    keys: keys.map(([pair, kid]) => {
      const { publicJwk } = pairs[pair]
      return kid === null ? publicJwk : { ...publicJwk, kid }
    }),
  })
}

function sign(c: Case): Promise<string> {
  const alg = c.alg ?? 'ES256'
  return new SignJWT({ sub: 'subject', exp: c.exp ?? NOW + 60 })
    .setProtectedHeader(c.kid === undefined ? { alg } : { alg, kid: c.kid })
    .sign(pairs[c.signer].privateKey)
}

describe('a JWT verifies when any key of the set that fits its header signed it', () => {
  it.each(CASES)('$rule', async (c) => {
    const options = { algorithms: [...(c.algorithms ?? ALGORITHMS)], currentDate: CURRENT_DATE }
    const outcome = verifyAgainstKeySet(await sign(c), keySet(c.keys), options)
    if (c.fails === null) {
      await expect(outcome).resolves.toMatchObject({ sub: 'subject' })
    } else {
      await expect(outcome).rejects.toBeInstanceOf(c.fails)
    }
  })

  it("the key resolver's own errors pass through unchanged, for the caller to word", async () => {
    const refused = new Error('the issuer keys could not be fetched')
    const getKey: JWTVerifyGetKey = () => Promise.reject(refused)
    const jwt = await sign({ rule: '', keys: [], signer: 'old', fails: null })
    const options = { algorithms: [...ALGORITHMS], currentDate: CURRENT_DATE }
    await expect(verifyAgainstKeySet(jwt, getKey, options)).rejects.toBe(refused)
  })
})
