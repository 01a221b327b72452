import { Hono } from 'hono'
import { OAuthError } from '../errors.js'
import { clientAddress } from './client-address.js'
import type { HandlerEnv, RequestContext } from './handler-env.js'
import { mountTokenRoutes } from './mount-token-routes.js'
import { errorResponse } from './render.js'
import { mountAuthorizationRoutes } from './routes/authorization.js'
import { mountClientConfigurationRoute } from './routes/client-configuration.js'
import { mountDiscoveryRoute } from './routes/discovery.js'
import { mountHealthRoutes } from './routes/health.js'
import { mountRegisterRoute } from './routes/register.js'
import type { RegistrarServices } from './services.js'

export type { RequestContext } from './handler-env.js'

/**
 * Routes requests to the endpoints the configuration switches on, each under the issuer's path.
 * Builds nothing: every service comes from the composition root (src/registrar.ts).
 */
export function createHandler(
  services: RegistrarServices,
): (request: Request, context?: RequestContext) => Promise<Response> {
  const { options } = services
  const app = new Hono<HandlerEnv>()

  mountDiscoveryRoute(app, services)
  mountHealthRoutes(app, services)
  mountTokenRoutes(app, services)
  if (options.registration.mode !== 'disabled') mountRegisterRoute(app, services)
  // Clients already registered keep managing themselves even when new registration is closed.
  if (options.registration.management.enabled) mountClientConfigurationRoute(app, services)
  mountAuthorizationRoutes(app, services)

  app.notFound(() =>
    errorResponse(new OAuthError('not_found', 'no such endpoint on this server'), options.logger),
  )
  app.onError((error) => errorResponse(error, options.logger))

  const hops = options.trustProxyHops
  return async (request, context = {}) => {
    try {
      const socketAddress = context.remoteAddress ?? null
      return await app.fetch(request, {
        clientAddress:
          hops === 0
            ? socketAddress
            : clientAddress(socketAddress, request.headers.get('x-forwarded-for'), hops),
      })
    } catch (error) {
      return errorResponse(error, options.logger)
    }
  }
}
