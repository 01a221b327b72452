// The public API of registrar. Storage backends and framework adapters are separate subpath
// exports (`registrar/sqlite`, `registrar/node`), so importing the core never loads a driver.
export type {
  ApplicationType,
  ClientMetadata,
  GrantType,
  ResponseType,
  TokenEndpointAuthMethod,
} from './core/registration/client-metadata.js'
export type { AdminClientInput } from './core/registration/create-admin-client.js'
export { createAdminClient } from './core/registration/create-admin-client.js'
export type { IssueInitialAccessTokenInput } from './core/registration/initial-access-token.js'
export { issueInitialAccessToken } from './core/registration/initial-access-token.js'
export type { TrustedSoftwareStatementIssuer } from './core/software-statement/verify-software-statement.js'
export type {
  ClientProvenance,
  ClientRecord,
  CreateClientResult,
  InitialAccessTokenRecord,
  ListClientsQuery,
  Store,
} from './core/store/store.js'
export { StoreUnavailableError } from './core/store/store-unavailable-error.js'
export type { AuthenticatedUser } from './core/users/authenticated-user.js'
export type { OAuthErrorCode } from './errors.js'
export { OAuthError } from './errors.js'
export type { RequestContext } from './http/handler.js'
export type { ConsentPageContext, LoginPageContext } from './http/pages/page-contexts.js'
export type { Logger } from './logger.js'
export type {
  AuthorizationOptions,
  AuthorizeRegistration,
  RateLimitOptions,
  RegistrarOptions,
  RegistrationAccessTokenOptions,
  RegistrationOptions,
  ResolvedOptions,
  SoftwareStatementOptions,
  TokenOptions,
} from './options.js'
export { adminRegistrationPolicy, DEFAULTS } from './options.js'
export type { Registrar } from './registrar.js'
export { createRegistrar } from './registrar.js'
