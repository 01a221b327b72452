import { timeOrderedId } from '../crypto/time-ordered-id.js'

/**
 * A client_id: the time of registration in milliseconds, then 80 random bits, in hex (see
 * time-ordered-id.ts). A client_id is not a secret (RFC 6749 §2.2), but 80 random bits still
 * make it unguessable; hex never takes the `https://` form of Client ID Metadata Document ids
 * (CIMD §6.9) and never starts with `-`, which an operator's shell would read as an option.
 *
 * Why time first: it is the primary key of `clients`. Random ids put each registration in a
 * leaf page of its own, a 4 KiB page more in SQLite's log per registration; ids that grow with
 * time append to the last leaf, which a batch of registrations shares. The registration time
 * it shows is already in the client's `client_id_issued_at`.
 */
export function newClientId(): string {
  return timeOrderedId()
}
