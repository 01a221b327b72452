import type { Hono } from 'hono'
import type { LoginThrottle } from '../../core/users/login-throttle.js'
import type { ResolvedOptions } from '../../options.js'
import type { AuthorizationDeps } from '../authorization-flow.js'
import type { HandlerEnv } from '../handler-env.js'
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
export function mountAuthorizationRoutes(
  app: Hono<HandlerEnv>,
  options: ResolvedOptions,
  now: () => number,
  loginThrottle: LoginThrottle | null,
): void {
  const base = options.basePath
  const deps: AuthorizationDeps = {
    options,
    store: options.store,
    now,
    cookies: cookieNames(options.issuer),
    throttle: loginThrottle,
    paths: {
      authorize: `${base}/authorize`,
      consent: `${base}/consent`,
      login: `${base}/login`,
      logout: `${base}/logout`,
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
