import type { Hono } from 'hono'
import type { RequestParameters } from '../core/tokens/request-parameters.js'
import { readRequestParameters } from '../core/tokens/request-parameters.js'
import type { Logger } from '../logger.js'
import type { HandlerEnv } from './handler-env.js'
import { mountJsonEndpoint } from './json-endpoint.js'
import { readFormBody } from './read-form-body.js'
import { jsonResponse } from './render.js'

/**
 * Token, revocation and introspection requests are a few hundred bytes; a private_key_jwt
 * assertion with an x5c chain a few KiB. 64 KiB is ample and keeps a flood cheap to refuse.
 */
export const FORM_BODY_MAX_BYTES = 65_536

export interface FormEndpoint {
  readonly path: string
  /** The endpoint's name in the 405 message: "the token endpoint accepts POST only". */
  readonly name: string
  /**
   * Answer browsers' cross-origin requests (RFC 9700 §2.6 allows CORS at the token endpoint).
   * Any origin, never credentials: these endpoints never read cookies.
   */
  readonly cors: boolean
  readonly logger: Logger
  /**
   * Every success is 200 (RFC 6749 §5.1, RFC 7009 §2.2, RFC 7662 §2.2): the handler returns
   * the JSON body, or null for an answer with no body, and mountFormEndpoint renders it with
   * the endpoint's headers. `clientAddress`: the client's address after trusted proxies.
   */
  handle(
    request: Request,
    params: RequestParameters,
    clientAddress: string | null,
  ): Promise<object | null>
}

/**
 * An endpoint taking a form-encoded POST: reads the body (RFC 6749 §3.2: form-encoded, and each
 * parameter at most once), hands it over, and answers as every JSON endpoint does
 * (json-endpoint.ts: no-store, errors as RFC 6749 §5.2 JSON, 405 with Allow).
 */
export function mountFormEndpoint(app: Hono<HandlerEnv>, endpoint: FormEndpoint): void {
  mountJsonEndpoint(app, {
    path: endpoint.path,
    name: endpoint.name,
    cors: endpoint.cors,
    logger: endpoint.logger,
    methods: {
      async POST(c, headers) {
        const form = await readFormBody(c.req.raw, FORM_BODY_MAX_BYTES)
        const body = await endpoint.handle(
          c.req.raw,
          readRequestParameters(form),
          c.env.clientAddress,
        )
        // The headers go in when the Response is made, not set on it afterwards: on
        // @hono/node-server, reading `response.headers` turns the plain object into a Headers
        // that has to be copied back out for writeHead, about 4 µs of a 160 µs token request.
        return body === null
          ? new Response(null, { status: 200, headers })
          : jsonResponse(200, body, headers)
      },
    },
  })
}
