// The comparison target: panva's oidc-provider (v9) with its in-memory adapter, configured for
// open dynamic registration (RFC 7591), RFC 7592 management and the client_credentials grant.
// Prints `listening on <url>` as registrar does. The client for W2 comes from the environment
// (BENCH_CC_CLIENT_ID, BENCH_CC_CLIENT_SECRET) as a static client.
import { createServer } from 'node:http'
import Provider from 'oidc-provider'

const clientId = process.env.BENCH_CC_CLIENT_ID ?? 'bench-cc'
const clientSecret = process.env.BENCH_CC_CLIENT_SECRET ?? 'bench-cc-secret-0123456789abcdef'

const server = createServer()
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  const issuer = `http://127.0.0.1:${address.port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'read write',
      },
    ],
    scopes: ['openid', 'offline_access', 'read', 'write'],
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
      clientCredentials: { enabled: true },
    },
    // Cookie signing keys: no workload here uses its cookies (no interactions).
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  })
  server.on('request', provider.callback())
  process.stdout.write(`listening on ${issuer}\n`)
})

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
