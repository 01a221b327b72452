/**
 * CORS for the endpoints browser-based clients call directly: registration (OIDC Registration
 * §3, ROIDCR-23) and discovery (OIDC Discovery §4). Any origin, never credentials: a cross-site
 * page can read what it registers but can never ride a user's cookies, which with the JSON-only
 * Content-Type rule keeps the endpoint CSRF-safe (the Django pull request's review finding).
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After, Location',
}

export function preflightResponse(methods: readonly string[]): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS_HEADERS,
      'Access-Control-Allow-Methods': methods.join(', '),
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      // 10 minutes: Chromium's cap is 2 hours, Firefox's 24; short keeps policy changes quick.
      'Access-Control-Max-Age': '600',
    },
  })
}
