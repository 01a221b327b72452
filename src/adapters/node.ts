import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { Registrar } from '../registrar.js'

/**
 * Mounts registrar on node:http (or Express, or anything that takes a `(req, res)` listener).
 * @hono/node-server turns the IncomingMessage into a Web Request lazily; the socket address is
 * passed along for rate limiting and provenance.
 */
export function toNodeListener(
  registrar: Registrar,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return getRequestListener((request, env) =>
    registrar.fetch(request, { remoteAddress: env.incoming.socket.remoteAddress ?? null }),
  )
}
