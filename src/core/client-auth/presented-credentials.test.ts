import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.js'
import { readRequestParameters } from '../tokens/request-parameters.js'
import { readPresentedCredentials } from './presented-credentials.js'

const BASIC = `Basic ${Buffer.from('client:secret').toString('base64')}`
const REALM = 'https://as.example'

function read(authorization: string | null, form: Record<string, string>) {
  return readPresentedCredentials(
    authorization,
    readRequestParameters(new URLSearchParams(form)),
    REALM,
  )
}

function failure(run: () => unknown): { code: string; status: number; challenge: string | null } {
  try {
    run()
  } catch (error) {
    if (error instanceof OAuthError) {
      return {
        code: error.code,
        status: error.status,
        challenge: error.challenge,
      }
    }
  }
  throw new Error('expected an OAuthError')
}

describe('RFC 6749 §2.3: which client authentication method a request uses', () => {
  it.each([
    [
      'Basic',
      BASIC,
      {},
      { method: 'client_secret_basic', clientId: 'client', clientSecret: 'secret' },
    ],
    [
      'Basic with the same client_id in the body',
      BASIC,
      { client_id: 'client' },
      { method: 'client_secret_basic', clientId: 'client', clientSecret: 'secret' },
    ],
    [
      'client_secret in the body',
      null,
      { client_id: 'c', client_secret: 's' },
      { method: 'client_secret_post', clientId: 'c', clientSecret: 's' },
    ],
    [
      'an assertion (RFC 7523 §2.2)',
      null,
      { client_assertion: 'a.b.c', client_assertion_type: 't' },
      { method: 'private_key_jwt', clientId: null, assertion: 'a.b.c', assertionType: 't' },
    ],
    [
      'client_id alone (a public client)',
      null,
      { client_id: 'c' },
      { method: 'none', clientId: 'c' },
    ],
    [
      'a Bearer header is not client authentication',
      'Bearer x',
      { client_id: 'c' },
      { method: 'none', clientId: 'c' },
    ],
    [
      'an empty client_secret counts as omitted (OAuth 2.1 §3.2)',
      null,
      { client_id: 'c', client_secret: '' },
      { method: 'none', clientId: 'c' },
    ],
  ])('%s', (_name, authorization, form, expected) => {
    expect(read(authorization, form)).toEqual(expected)
  })

  it.each([
    ['Basic and client_secret', BASIC, { client_secret: 's' }],
    ['Basic and client_assertion', BASIC, { client_assertion: 'a.b.c' }],
    ['Basic and client_assertion_type', BASIC, { client_assertion_type: 't' }],
    [
      'client_secret and client_assertion',
      null,
      { client_id: 'c', client_secret: 's', client_assertion: 'a.b.c' },
    ],
  ])(
    '§2.3 "MUST NOT use more than one authentication method": %s → 400 invalid_request',
    (_name, authorization, form) => {
      expect(failure(() => read(authorization, form))).toMatchObject({
        code: 'invalid_request',
        status: 400,
      })
    },
  )

  it('Basic naming another client than the body client_id → invalid_request', () => {
    expect(failure(() => read(BASIC, { client_id: 'other' }))).toMatchObject({
      code: 'invalid_request',
    })
  })

  it('client_secret without client_id → invalid_request', () => {
    expect(failure(() => read(null, { client_secret: 's' }))).toMatchObject({
      code: 'invalid_request',
    })
  })

  it('§5.2: a malformed Basic header → 401 invalid_client with a Basic challenge', () => {
    expect(failure(() => read('Basic %%%', {}))).toEqual({
      code: 'invalid_client',
      status: 401,
      challenge: `Basic realm="${REALM}", charset="UTF-8"`,
    })
  })

  it('no credentials at all → 401 invalid_client with a Basic challenge', () => {
    expect(failure(() => read(null, {}))).toMatchObject({ code: 'invalid_client', status: 401 })
    expect(failure(() => read(null, {})).challenge).toMatch(/^Basic realm=/)
  })
})
