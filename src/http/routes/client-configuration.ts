import type { Hono } from 'hono'
import { registrationClientUri } from '../../core/discovery/authorization-server-metadata.js'
import { clientInformationResponse } from '../../core/registration/client-information-response.js'
import type { RegisterClientDeps } from '../../core/registration/register-client.js'
import { authenticateRegistrationAccessToken } from '../../core/registration/registration-access-token.js'
import {
  concurrentUpdateError,
  prepareClientUpdate,
} from '../../core/registration/update-client.js'
import { OAuthError } from '../../errors.js'
import type { ResolvedOptions } from '../../options.js'
import { CORS_HEADERS, preflightResponse } from '../cors.js'
import type { HandlerEnv } from '../handler-env.js'
import { readJsonBody } from '../read-json-body.js'
import { errorResponse, jsonResponse, NO_STORE } from '../render.js'

export interface ClientConfigurationDeps extends RegisterClientDeps {
  readonly options: ResolvedOptions
}

// A PUT that loses a race re-reads and re-applies; with token rotation on, the retry fails
// authentication instead (the winner rotated the token), which is the clear error it should get.
const UPDATE_ATTEMPTS = 3

/**
 * RFC 7592 §2: the client configuration endpoint at `registration_client_uri`
 * (`{issuer path}/register/{client_id}`). Mounted only when management is enabled.
 */
export function mountClientConfigurationRoute(
  app: Hono<HandlerEnv>,
  deps: ClientConfigurationDeps,
): void {
  const { options } = deps
  const path = `${options.basePath}/register/:client_id`
  const headers = { ...NO_STORE, ...CORS_HEADERS }
  const management = options.registration.management

  const authenticate = (request: Request, clientId: string) =>
    authenticateRegistrationAccessToken(
      options.store,
      management,
      clientId,
      request.headers.get('authorization'),
      deps.now(),
    )

  // RFC 7592 §2.1: read the current registration.
  app.get(path, async (c) => {
    try {
      const clientId = c.req.param('client_id') ?? ''
      const { client, token } = await authenticate(c.req.raw, clientId)
      return jsonResponse(
        200,
        clientInformationResponse(client, {
          // Only its hash is kept (decision A8): the secret is shown when issued or rotated.
          clientSecret: null,
          registrationAccessToken: token,
          registrationClientUri: registrationClientUri(options, client.clientId),
        }),
        headers,
      )
    } catch (error) {
      return errorResponse(error, options.logger, headers)
    }
  })

  // RFC 7592 §2.2: replace the registration.
  app.put(path, async (c) => {
    try {
      const clientId = c.req.param('client_id') ?? ''
      // Authenticate before reading the body: a stranger's megabytes are not worth parsing.
      let { client, token } = await authenticate(c.req.raw, clientId)
      const body = await readJsonBody(c.req.raw, options.registration.maxBodyBytes)
      const rotateSecret = c.req.query('rotate_client_secret') === 'true'
      for (let attempt = 1; ; attempt++) {
        const update = await prepareClientUpdate(deps, {
          current: client,
          presentedToken: token,
          body,
          rotateSecret,
        })
        if (await options.store.updateClient(update.record, client.version)) {
          options.logger.info(
            {
              client_id: client.clientId,
              version: update.record.version,
              rotated_secret: update.clientSecret !== null,
            },
            'client registration updated',
          )
          return jsonResponse(
            200,
            clientInformationResponse(update.record, {
              clientSecret: update.clientSecret,
              registrationAccessToken: update.registrationAccessToken,
              registrationClientUri: registrationClientUri(options, client.clientId),
            }),
            headers,
          )
        }
        if (attempt === UPDATE_ATTEMPTS) throw concurrentUpdateError()
        ;({ client, token } = await authenticate(c.req.raw, clientId))
      }
    } catch (error) {
      return errorResponse(error, options.logger, headers)
    }
  })

  // RFC 7592 §2.3: deprovision. 204 with no body and no Content-Type (decision A9).
  app.delete(path, async (c) => {
    try {
      const clientId = c.req.param('client_id') ?? ''
      for (let attempt = 1; ; attempt++) {
        const { client } = await authenticate(c.req.raw, clientId)
        // Against the version just authenticated: if an update rotated the token meanwhile, the
        // retry's authentication refuses the old token, as decision A7 requires.
        if (await options.store.deleteClient(client.clientId, client.version)) break
        if (attempt === UPDATE_ATTEMPTS) throw concurrentUpdateError()
      }
      options.logger.info({ client_id: clientId }, 'client registration deleted')
      return new Response(null, { status: 204, headers })
    } catch (error) {
      return errorResponse(error, options.logger, headers)
    }
  })

  app.options(path, () => preflightResponse(['GET', 'PUT', 'DELETE']))
  // RFC 7592 §2: other methods are not supported → 405 with Allow.
  app.on(['POST', 'PATCH'], path, () =>
    errorResponse(
      new OAuthError(
        'method_not_allowed',
        'the client configuration endpoint accepts GET, PUT and DELETE',
        {
          headers: { Allow: 'GET, PUT, DELETE, OPTIONS' },
        },
      ),
      options.logger,
      headers,
    ),
  )
}
