import type { Context, Hono } from 'hono'
import { OAuthError } from '../errors.js'
import type { Logger } from '../logger.js'
import { CORS_HEADERS, preflightResponse } from './cors.js'
import type { HandlerEnv } from './handler-env.js'
import { errorResponse, NO_STORE } from './render.js'

export type EndpointMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * Answers one method. `headers` are the endpoint's own (no-store, and CORS when on): the handler
 * passes them to the Response it makes. A thrown error is rendered with the same headers.
 */
export type MethodHandler = (
  c: Context<HandlerEnv>,
  headers: Readonly<Record<string, string>>,
) => Promise<Response>

export interface JsonEndpoint {
  readonly path: string
  /** The endpoint's name in the 405 message: "the token endpoint accepts POST only". */
  readonly name: string
  /** Answer browsers' cross-origin requests: any origin, never credentials (cors.ts). */
  readonly cors: boolean
  readonly logger: Logger
  readonly methods: Readonly<Partial<Record<EndpointMethod, MethodHandler>>>
}

const EVERY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/**
 * Mounts an endpoint that answers in JSON: each method's handler, with errors rendered as
 * `{"error", "error_description"}` (RFC 6749 §5.2, RFC 7591 §3.2.2); every answer carries
 * Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1, docs/decisions.md A27); an
 * OPTIONS preflight when CORS is on; any other method gets 405 with Allow (RFC 9110 §15.5.6).
 */
export function mountJsonEndpoint(app: Hono<HandlerEnv>, endpoint: JsonEndpoint): void {
  const headers = endpoint.cors ? { ...NO_STORE, ...CORS_HEADERS } : NO_STORE
  const allowed = Object.keys(endpoint.methods) as EndpointMethod[]
  for (const method of allowed) {
    const handler = endpoint.methods[method]
    if (handler === undefined) continue
    app.on(method, endpoint.path, async (c) => {
      try {
        return await handler(c, headers)
      } catch (error) {
        return errorResponse(error, endpoint.logger, headers)
      }
    })
  }
  if (endpoint.cors) app.options(endpoint.path, () => preflightResponse(allowed))
  const allow = endpoint.cors ? [...allowed, 'OPTIONS'] : allowed
  // HEAD is answered as GET where GET is (RFC 9110 §9.3.2), so it is refused only without it.
  const refused = EVERY_METHOD.filter(
    (method) =>
      !allowed.includes(method as EndpointMethod) &&
      !(method === 'HEAD' && allowed.includes('GET')),
  )
  const refusal = new OAuthError(
    'method_not_allowed',
    `the ${endpoint.name} accepts ${listed(allowed)}`,
  )
  const refusalHeaders = { ...headers, Allow: allow.join(', ') }
  app.on(refused, endpoint.path, () => errorResponse(refusal, endpoint.logger, refusalHeaders))
}

/** "POST only", "GET, PUT and DELETE". */
function listed(methods: readonly string[]): string {
  if (methods.length === 1) return `${methods[0]} only`
  return `${methods.slice(0, -1).join(', ')} and ${methods[methods.length - 1]}`
}
