import type { ClientRecord } from '../store/store.js'

/**
 * Who stands behind a client, derived from what is stored with it (no column of its own, so no
 * migration, and it can never disagree with the provenance it is read from). One model for every
 * place that asks: error redirects (docs/decisions.md A40), the consent page's warning (A41),
 * `registrar client show`/`list`, and the hooks' consent context (docs/decisions.md B7).
 *
 * - `admin`: an administrator made the client, or marked it trusted.
 * - `software_statement`: a trusted issuer's software statement asserted its `redirect_uris`
 *   (`provenance.verifiedBySoftwareStatement`, A41).
 * - `initial_access_token`: an initial access token let the registration in (RFC 7591 §3).
 * - `hook`: the host's `authorizeRegistration` hook let it in: host code vouched for it, with the
 *   trust of an initial access token, in a tier of its own so that nobody mistakes it for an
 *   administrator's decision (B7).
 * - `metadata_document`: reserved for Client ID Metadata Documents (a client_id that is the URL of
 *   the client's own metadata), which come later; nothing produces it yet.
 * - `anonymous`: open dynamic registration; its metadata is whatever it wrote (RFC 7591 §5).
 */
export type TrustTier =
  | 'admin'
  | 'software_statement'
  | 'initial_access_token'
  | 'hook'
  | 'metadata_document'
  | 'anonymous'

/**
 * The tier of a client. When more than one applies, the first in this order wins, from the
 * decision made about this very client to none at all:
 * 1. `admin`: a person looked at this client (made it, or marked it trusted after the fact).
 * 2. `software_statement`: a vendor's key binds the client's redirect URIs, so whoever registered
 *    it, codes go only to the vendor's hosts; that says more than who was let in to register.
 * 3. `initial_access_token` or `hook`: the registering party was admitted, but what it wrote is
 *    still its own (the two never coincide: a client has one `authorizedBy`).
 * 4. `anonymous`: nobody but the client itself. A software statement that leaves `redirect_uris`
 *    to the body leaves the client here (A41: anyone may copy such a statement).
 */
export function trustTierOf(client: ClientRecord): TrustTier {
  const { provenance } = client
  if (provenance.origin === 'admin' || provenance.authorizedBy === 'admin' || client.trusted) {
    return 'admin'
  }
  if (provenance.verifiedBySoftwareStatement) return 'software_statement'
  if (provenance.authorizedBy === 'initial_access_token') return 'initial_access_token'
  if (provenance.authorizedBy === 'hook') return 'hook'
  return 'anonymous'
}
