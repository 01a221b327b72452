import type { Hono } from 'hono'
import { ENDPOINT_PATHS } from '../../core/discovery/endpoint-paths.js'
import type { AuthorizationDeps } from '../authorization-flow.js'
import type { HandlerEnv } from '../handler-env.js'
import type { RegistrarServices } from '../services.js'
import { cookieNames } from '../session/cookies.js'
import { mountAuthorizeRoute } from './authorize.js'
import { mountConsentRoute } from './consent.js'
import { mountLoginRoute } from './login.js'
import { mountLogoutRoute } from './logout.js'

/**
 * Mounts the browser-facing side of the server under the issuer's path: /authorize and
 * /consent always, and the built-in /login and /logout unless the host's authenticateUser hook
 * replaces registrar's users (embedding).
 */
export function mountAuthorizationRoutes(app: Hono<HandlerEnv>, services: RegistrarServices): void {
  const { options } = services
  const base = options.basePath
  const deps: AuthorizationDeps = {
    options,
    store: services.store,
    now: services.now,
    cookies: cookieNames(options.issuer),
    throttle: services.loginThrottle,
    paths: {
      authorize: `${base}${ENDPOINT_PATHS.authorization}`,
      consent: `${base}${ENDPOINT_PATHS.consent}`,
      login: `${base}${ENDPOINT_PATHS.login}`,
      logout: `${base}${ENDPOINT_PATHS.logout}`,
    },
    origin: new URL(options.issuer).origin,
  }
  mountAuthorizeRoute(app, deps)
  mountConsentRoute(app, deps)
  const hook = options.authorization.authenticateUser
  if (hook === null || hook === undefined) {
    mountLoginRoute(app, deps)
    mountLogoutRoute(app, deps)
  }
}
