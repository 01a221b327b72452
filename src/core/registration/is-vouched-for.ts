import type { ClientRecord } from '../store/store.js'

/**
 * Whether anyone but the client itself stands behind this registration (docs/decisions.md A40):
 * an administrator made it or marked it trusted, an initial access token or the host's
 * authorizeRegistration hook let it in, or a trusted software statement asserted its
 * redirect_uris (A41). What is left is anonymous open registration, whose redirect URIs are
 * whatever the registering party wrote (RFC 7591 §5): RFC 9700 §4.11.2 asks the server to
 * redirect automatically only to URIs it trusts, so until the user signs in, errors for such a
 * client are shown on a page instead of redirected.
 */
export function isVouchedFor(client: ClientRecord): boolean {
  const { provenance } = client
  return (
    provenance.origin === 'admin' ||
    client.trusted ||
    provenance.authorizedBy !== 'open' ||
    provenance.verifiedBySoftwareStatement
  )
}
