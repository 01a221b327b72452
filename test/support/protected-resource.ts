import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import { closeServer, listen } from './client-app.js'

/** What the resource server learnt about a token: the introspection answer (RFC 7662 §2.2). */
export type Introspection = Readonly<Record<string, unknown>>

export interface ProtectedResourceOptions {
  /** The authorization server's issuer, listed in the metadata's authorization_servers. */
  readonly authorizationServer: string
  /** RFC 9728 §2 scopes_supported; omitted when not given. */
  readonly scopesSupported?: readonly string[]
  /** Asks the authorization server about a token; called for every Bearer request to /mcp. */
  readonly introspect: (token: string) => Promise<Introspection>
}

export interface ProtectedResource {
  /** http://127.0.0.1:<port> */
  readonly origin: string
  /** The resource identifier (RFC 8707, RFC 9728 §1.2): `${origin}/mcp`. */
  readonly resource: string
  /** RFC 9728 §3.1: `${origin}/.well-known/oauth-protected-resource/mcp`. */
  readonly metadataUrl: string
  /** Every request in arrival order: method, path and the status it was answered with. */
  readonly requests: readonly { method: string; path: string; status: number }[]
  close(): Promise<void>
}

/**
 * A minimal MCP-style protected resource on a loopback port (the MCP authorization spec's
 * "resource server"):
 *
 * - RFC 9728 protected resource metadata at the path-aware well-known URI
 *   (`/.well-known/oauth-protected-resource/mcp`) and at the root one, naming the issuer;
 * - `/mcp`: 401 with `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728 §5.1, RFC 6750
 *   §3) without a token, the same with `error="invalid_token"` for a token that the
 *   authorization server does not call active or whose audience (`aud`, RFC 8707 / RFC 9068
 *   §4) does not include this resource, and 200 JSON with the token's subject otherwise.
 */
export async function startProtectedResource(
  options: ProtectedResourceOptions,
): Promise<ProtectedResource> {
  const requests: { method: string; path: string; status: number }[] = []
  let origin = ''
  const resource = () => `${origin}/mcp`
  const metadataUrl = () => `${origin}/.well-known/oauth-protected-resource/mcp`

  const answer = (
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    requests.push({
      method: request.method ?? '',
      path: new URL(request.url ?? '/', origin).pathname,
      status,
    })
    response
      .writeHead(status, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        ...headers,
      })
      .end(JSON.stringify(body))
  }

  const challenge = (error: string | null) =>
    [
      'Bearer',
      [
        ...(error === null ? [] : [`error="${error}"`]),
        `resource_metadata="${metadataUrl()}"`,
      ].join(', '),
    ].join(' ')

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', origin).pathname
    const handle = async () => {
      if (
        request.method === 'GET' &&
        (path === '/.well-known/oauth-protected-resource/mcp' ||
          path === '/.well-known/oauth-protected-resource')
      ) {
        answer(request, response, 200, {
          resource: resource(),
          authorization_servers: [options.authorizationServer],
          bearer_methods_supported: ['header'],
          ...(options.scopesSupported === undefined
            ? {}
            : { scopes_supported: [...options.scopesSupported] }),
        })
        return
      }
      if (path !== '/mcp') {
        answer(request, response, 404, { error: 'not_found' })
        return
      }
      // Drain any body: this endpoint only looks at the Authorization header.
      for await (const _chunk of request) {
        // discard
      }
      const authorization = request.headers.authorization ?? ''
      const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization)
      if (match === null) {
        answer(
          request,
          response,
          401,
          { error: 'unauthorized' },
          {
            'WWW-Authenticate': challenge(null),
          },
        )
        return
      }
      const introspection = await options.introspect(match[1] ?? '')
      const aud = introspection.aud
      const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
      if (introspection.active !== true || !audiences.includes(resource())) {
        answer(
          request,
          response,
          401,
          { error: 'invalid_token' },
          {
            'WWW-Authenticate': challenge('invalid_token'),
          },
        )
        return
      }
      answer(request, response, 200, {
        ok: true,
        sub: introspection.sub,
        client_id: introspection.client_id,
        scope: introspection.scope,
      })
    }
    handle().catch((error: unknown) => {
      answer(request, response, 500, { error: String(error) })
    })
  })
  origin = await listen(server)

  return {
    origin,
    resource: resource(),
    metadataUrl: metadataUrl(),
    requests,
    close: () => closeServer(server),
  }
}
