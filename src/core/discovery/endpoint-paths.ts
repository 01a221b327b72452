/**
 * Where each endpoint lives under the issuer's path. RFC 8414 §2 leaves the paths to the server;
 * registrar serves every endpoint under the issuer's own path, so one host can serve several
 * issuers. The one table of them: routes mount here, discovery advertises these, and
 * registration_client_uri is built from `registration`.
 */
export const ENDPOINT_PATHS = {
  authorization: '/authorize',
  token: '/token',
  revocation: '/revoke',
  introspection: '/introspect',
  jwks: '/jwks',
  registration: '/register',
  login: '/login',
  logout: '/logout',
  consent: '/consent',
  health: '/healthz',
  ready: '/readyz',
} as const

export type EndpointName = keyof typeof ENDPOINT_PATHS

/** The issuer and its path without a trailing slash ('' or '/tenant'): all URLs derive from it. */
export interface IssuerLocation {
  readonly issuer: string
  readonly basePath: string
}
