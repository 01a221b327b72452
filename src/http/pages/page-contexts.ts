import type { TrustTier } from '../../core/registration/trust-tier.js'
import type { AuthenticatedUser } from '../../core/users/authenticated-user.js'

/** What a host's `authorization.renderLogin` receives to draw its own sign-in page. */
export interface LoginPageContext {
  readonly request: Request
  /** Where the form must POST. */
  readonly action: string
  readonly csrfToken: string
  /** Hidden inputs the form must carry back (the pending authorization request). */
  readonly hidden: Readonly<Record<string, string>>
  readonly error: string | null
}

/** What a host's `authorization.renderConsent` receives to draw its own consent page. */
export interface ConsentPageContext {
  readonly request: Request
  readonly action: string
  readonly csrfToken: string
  readonly hidden: Readonly<Record<string, string>>
  readonly client: {
    readonly clientId: string
    readonly name: string | null
    readonly logoUri: string | null
    readonly clientUri: string | null
    /**
     * Who stands behind the client (docs/decisions.md B7): `admin`, `software_statement`,
     * `initial_access_token`, `hook`, `metadata_document` (reserved) or `anonymous`. A host may
     * draw each differently; the built-in page warns for the tiers nobody vouches for.
     */
    readonly trustTier: TrustTier
    /**
     * Nobody but the client stands behind it (its tier is not vouched for, docs/decisions.md A40,
     * A41, B7): its name and logo are only what it claims (RFC 7591 §5).
     */
    readonly unverified: boolean
    /**
     * Issuer of the trusted software statement the client registered with, whether or not it
     * vouches for the client: with `unverified`, say that the name is as claimed even so, since
     * a statement that does not name the redirect URIs can be copied by anyone. null: none.
     */
    readonly softwareStatementIssuer: string | null
    /** Hostnames the user will be sent back to (MCP: shown clearly). */
    readonly redirectHost: string
  }
  readonly scopes: readonly { readonly value: string; readonly description: string }[]
  readonly resources: readonly string[]
  readonly user: AuthenticatedUser
}
