import { OAuthError, quote } from '../../errors.js'

/**
 * RFC 8707 §2: each `resource` is an absolute URI without a fragment; anything else is
 * `invalid_target`. MCP clients send the MCP server's URI in both the authorization and the token
 * request (MCP authorization, Resource Parameter Implementation). Values are canonicalised the
 * way MCP asks servers to accept them: scheme and host in lower case (the WHATWG parser does
 * that), and a lone trailing `/` on an empty path dropped, so `https://MCP.example.com/` and
 * `https://mcp.example.com` name one audience (docs/decisions.md A33). Returns the distinct
 * values, sorted.
 */
export function parseResourceIndicators(values: readonly string[]): string[] {
  const out = new Set<string>()
  for (const value of values) {
    // A query is allowed by RFC 8707 §2 but SHOULD NOT be used; fragments and relative URIs are not.
    if (value.includes('#'))
      throw invalidTarget(`resource must not contain a fragment: ${quote(value)}`)
    const url = URL.parse(value)
    if (url === null || !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
      throw invalidTarget(`resource must be an absolute URI: ${quote(value)}`)
    }
    out.add(canonicalResource(url))
  }
  return [...out].sort()
}

/**
 * RFC 3986 §6.2.3: an empty path and `/` are the same resource for a URI with a host, so the `/`
 * that href always gives an origin is dropped (`https://mcp.example.com`, the form MCP asks
 * clients to prefer). Only that `/`: a longer path keeps its exact form (`/mcp` and `/mcp/` stay
 * two resources, as the server may route them apart), and an empty query keeps its `?` (§6.2.3
 * keeps delimiters of empty components), which `url.search` alone reads as no query at all.
 */
function canonicalResource(url: URL): string {
  return url.pathname === '/' && url.href.endsWith('/') ? url.href.slice(0, -1) : url.href
}

function invalidTarget(description: string): OAuthError {
  return new OAuthError('invalid_target', description)
}
