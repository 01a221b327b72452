import type { Hono } from 'hono'
import { registrationClientUri } from '../../core/discovery/authorization-server-metadata.js'
import { ENDPOINT_PATHS } from '../../core/discovery/endpoint-paths.js'
import { clientInformationResponse } from '../../core/registration/client-information-response.js'
import type { RegisterClientDeps } from '../../core/registration/register-client.js'
import { authenticateRegistrationAccessToken } from '../../core/registration/registration-access-token.js'
import {
  concurrentUpdateError,
  prepareClientUpdate,
} from '../../core/registration/update-client.js'
import type { HandlerEnv } from '../handler-env.js'
import { mountJsonEndpoint } from '../json-endpoint.js'
import { readJsonBody } from '../read-json-body.js'
import { jsonResponse } from '../render.js'
import type { RegistrarServices } from '../services.js'

// A PUT that loses a race re-reads and re-applies; with token rotation on, the retry fails
// authentication instead (the winner rotated the token), which is the clear error it should get.
const UPDATE_ATTEMPTS = 3

/**
 * RFC 7592 §2: the client configuration endpoint at `registration_client_uri`
 * (`{issuer path}/register/{client_id}`). Mounted only when management is enabled.
 */
export function mountClientConfigurationRoute(
  app: Hono<HandlerEnv>,
  services: RegistrarServices,
): void {
  const { options, store } = services
  const management = options.registration.management
  const registration: RegisterClientDeps = {
    store,
    registration: options.registration,
    verifySoftwareStatement: services.verifySoftwareStatement,
    now: services.now,
  }

  const authenticate = (request: Request, clientId: string) =>
    authenticateRegistrationAccessToken(
      store,
      management,
      clientId,
      request.headers.get('authorization'),
      services.now(),
    )

  mountJsonEndpoint(app, {
    path: `${options.basePath}${ENDPOINT_PATHS.registration}/:client_id`,
    name: 'client configuration endpoint',
    cors: true,
    logger: options.logger,
    methods: {
      // RFC 7592 §2.1: read the current registration.
      async GET(c, headers) {
        const clientId = c.req.param('client_id') ?? ''
        const { client, token } = await authenticate(c.req.raw, clientId)
        return jsonResponse(
          200,
          clientInformationResponse(client, {
            // Only its hash is kept (docs/decisions.md A8): the secret is shown when issued or
            // rotated.
            clientSecret: null,
            registrationAccessToken: token,
            registrationClientUri: registrationClientUri(options, client.clientId),
          }),
          headers,
        )
      },

      // RFC 7592 §2.2: replace the registration.
      async PUT(c, headers) {
        const clientId = c.req.param('client_id') ?? ''
        // Authenticate before reading the body: a stranger's megabytes are not worth parsing.
        let { client, token } = await authenticate(c.req.raw, clientId)
        const body = await readJsonBody(c.req.raw, options.registration.maxBodyBytes)
        const rotateSecret = c.req.query('rotate_client_secret') === 'true'
        for (let attempt = 1; ; attempt++) {
          const update = await prepareClientUpdate(registration, {
            current: client,
            presentedToken: token,
            body,
            rotateSecret,
          })
          if (await store.updateClient(update.record, client.version, update.effects)) {
            options.logger.info(
              {
                client_id: client.clientId,
                version: update.record.version,
                rotated_secret: update.clientSecret !== null,
                // docs/decisions.md A41: these cost the client its trust and remembered consents.
                identity_changed: update.identityChanges,
                refresh_tokens_revoked: update.effects.revokeRefreshTokensAt !== null,
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
      },

      // RFC 7592 §2.3: deprovision. 204 with no body and no Content-Type (docs/decisions.md A9).
      async DELETE(c, headers) {
        const clientId = c.req.param('client_id') ?? ''
        for (let attempt = 1; ; attempt++) {
          const { client } = await authenticate(c.req.raw, clientId)
          // Against the version just authenticated: if an update rotated the token meanwhile,
          // the retry's authentication refuses the old token, as docs/decisions.md A7 requires.
          if (await store.deleteClient(client.clientId, client.version)) break
          if (attempt === UPDATE_ATTEMPTS) throw concurrentUpdateError()
        }
        options.logger.info({ client_id: clientId }, 'client registration deleted')
        return new Response(null, { status: 204, headers })
      },
    },
  })
}
