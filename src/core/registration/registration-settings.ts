import type { RegistrationPolicy } from './validate-client-metadata.js'

/**
 * RFC 7592 client management as the core applies it. Resolved from `registration.management`
 * and `registration.registrationAccessToken` by the options module; core reads only this.
 */
export interface ManagementSettings {
  /** false: no registration access token is issued and the configuration endpoint is absent. */
  readonly enabled: boolean
  /** null: the token lasts as long as the client (RFC 7592 §5). */
  readonly tokenExpiresInSeconds: number | null
  /** RFC 7592 §2.2: a new token on every update; the old one stops working at once. */
  readonly rotateOnUpdate: boolean
  /** Clients an administrator created may manage themselves too. */
  readonly allowAdminClients: boolean
}

/** What registration and RFC 7592 updates read of the configuration (RFC 7591 §3, §5). */
export interface RegistrationSettings {
  readonly policy: RegistrationPolicy
  readonly softwareStatement: {
    readonly required: boolean
    /** Refuse a statement that leaves redirect_uris to the body (docs/decisions.md A41). */
    readonly requireRedirectUris: boolean
  }
  /** 0: issued secrets never expire (RFC 7591 §3.2.1 client_secret_expires_at). */
  readonly clientSecretExpiresInSeconds: number
  readonly management: ManagementSettings
}
