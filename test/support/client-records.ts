import { GRANT_TYPES } from '../../src/core/registration/client-metadata.js'
import { buildAdminClient } from '../../src/core/registration/create-admin-client.js'
import type { RegistrationPolicy } from '../../src/core/registration/validate-client-metadata.js'
import type { ClientRecord } from '../../src/core/store/store.js'
import { nowSeconds } from './http-helpers.js'

/**
 * An administrator's policy (`registrar client create`): any grant, the scopes tests use. Every
 * grant counts as served, so a test can store a client for a grant its server has switched off
 * (and see the server refuse it at the endpoint).
 */
export const ADMIN_POLICY: RegistrationPolicy = {
  allowedGrantTypes: new Set(GRANT_TYPES),
  servedGrantTypes: new Set(GRANT_TYPES),
  requireHttpsRedirectUris: false,
  redirectUriHosts: null,
  requireReverseDomainSchemes: false,
  allowedScopes: new Set(['read', 'write']),
  defaultScopes: ['read', 'write'],
}

/**
 * One record as buildAdminClient makes it (provenance admin with no request behind it, secret
 * expiry 0 (never, RFC 7591 §3.2.1), no RFC 7592 registration access token, version 1, not
 * trusted): the builder below starts from it, so tests follow production instead of restating it.
 */
const { record: ADMIN_RECORD } = buildAdminClient(
  {
    metadata: {
      redirect_uris: ['https://client.example/callback'],
      token_endpoint_auth_method: 'none',
    },
  },
  ADMIN_POLICY,
  0,
)

/** A test names the client and its metadata, and may set any field but its provenance. */
export type AdminClientFields = Pick<ClientRecord, 'clientId' | 'metadata'> &
  Partial<Omit<ClientRecord, 'provenance'>>

/**
 * An administrator's client record, issued now, for the tests createAdminClient cannot serve
 * itself: a chosen client_id or secret, a record that is never stored, metadata its validation
 * would refuse.
 */
export function adminClientRecord(fields: AdminClientFields): ClientRecord {
  const now = nowSeconds()
  return {
    ...ADMIN_RECORD,
    clientSecretHash: null,
    clientIdIssuedAt: now,
    updatedAt: now,
    ...fields,
  }
}
