import { describe, expect, it } from 'vitest'
import { adminClientRecord } from '../../../test/support/client-records.js'
import type { ClientProvenance, ClientRecord } from '../store/store.js'
import { isVouchedFor } from './is-vouched-for.js'

/** A client as anonymous open registration leaves it: nobody but itself stands behind it. */
const ANONYMOUS: ClientProvenance = {
  origin: 'dynamic',
  authorizedBy: 'open',
  ip: '192.0.2.1',
  userAgent: null,
  initialAccessTokenId: null,
  softwareStatementIssuer: null,
  verifiedBySoftwareStatement: false,
}

function client(provenance: Partial<ClientProvenance>, trusted = false): ClientRecord {
  return {
    ...adminClientRecord({
      clientId: 'c1',
      metadata: {
        redirect_uris: ['https://client.example/cb'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        application_type: 'web',
        scope: 'read',
      },
      trusted,
    }),
    provenance: { ...ANONYMOUS, ...provenance },
  }
}

describe('docs/decisions.md A40: who counts as vouched for (RFC 9700 §4.11.2)', () => {
  it.each([
    ['anonymous open registration', client({}), false],
    [
      'open registration with a software statement that left redirect_uris to the body (A41)',
      client({ softwareStatementIssuer: 'https://vendor.example' }),
      false,
    ],
    ['made by an administrator', client({ origin: 'admin', authorizedBy: 'admin' }), true],
    ['marked trusted by an administrator', client({}, true), true],
    [
      'admitted by an initial access token',
      client({ authorizedBy: 'initial_access_token', initialAccessTokenId: 'iat-1' }),
      true,
    ],
    ["admitted by the host's authorizeRegistration hook", client({ authorizedBy: 'hook' }), true],
    [
      'a trusted software statement asserted its redirect_uris (A41)',
      client({
        softwareStatementIssuer: 'https://vendor.example',
        verifiedBySoftwareStatement: true,
      }),
      true,
    ],
  ])('%s → %s', (_name, record, expected) => {
    expect(isVouchedFor(record)).toBe(expected)
  })
})
