import type { IssuerLocation } from './endpoint-paths.js'

/**
 * An endpoint under the issuer: `https://as.example/tenant` + `/register`. RFC 8414 §2 leaves
 * the paths to the server; registrar serves every endpoint under the issuer's own path, so one
 * deployment can host several issuers.
 */
export function endpointUrl(location: IssuerLocation, path: string): string {
  const url = new URL(location.issuer)
  url.pathname = `${location.basePath}${path}`
  return url.toString()
}
