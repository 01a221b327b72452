import { describe, expect, it } from 'vitest'
import { OAuthError, toErrorDescription } from '../../errors.js'
import type { RedirectUriRules } from './validate-redirect-uri.js'
import { validateRedirectUri } from './validate-redirect-uri.js'

/** A confidential web client under the strict defaults (https required, any host). */
function rules(overrides: Partial<RedirectUriRules> = {}): RedirectUriRules {
  return {
    applicationType: 'web',
    publicClient: false,
    implicit: false,
    requireHttps: true,
    allowedHosts: null,
    requireReverseDomainSchemes: false,
    ...overrides,
  }
}

const NATIVE: Partial<RedirectUriRules> = { applicationType: 'native' }
const PUBLIC: Partial<RedirectUriRules> = { publicClient: true }
const NATIVE_PUBLIC: Partial<RedirectUriRules> = { applicationType: 'native', publicClient: true }
const LAX: Partial<RedirectUriRules> = { requireHttps: false }

type Row = readonly [name: string, uri: string, overrides: Partial<RedirectUriRules>]
type RefusedRow = readonly [
  name: string,
  uri: string,
  overrides: Partial<RedirectUriRules>,
  /** A fragment of the description saying what to fix. */
  says: string,
]

function refusal(uri: string, overrides: Partial<RedirectUriRules>, field = 'redirect_uris[0]') {
  try {
    validateRedirectUri(uri, field, rules(overrides))
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError)
    return error as OAuthError
  }
  throw new Error(`expected ${JSON.stringify(uri)} to be refused`)
}

function accepts(rows: readonly Row[]): void {
  it.each(rows)('%s', (_name, uri, overrides) => {
    expect(() => validateRedirectUri(uri, 'redirect_uris[0]', rules(overrides))).not.toThrow()
  })
}

function refuses(rows: readonly RefusedRow[]): void {
  it.each(rows)('%s', (_name, uri, overrides, says) => {
    const error = refusal(uri, overrides)
    expect(error.code).toBe('invalid_redirect_uri')
    expect(error.status).toBe(400)
    expect(error.description).toContain('redirect_uris[0]')
    expect(error.description).toContain(says)
    expect(toErrorDescription(error.description)).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/)
  })
}

describe('RFC 6749 §3.1.2: the redirection endpoint URI is absolute and has no fragment', () => {
  refuses([
    ['RFC 6749 §3.1.2: rejects /cb (relative)', '/cb', {}, 'absolute'],
    ['RFC 6749 §3.1.2: rejects cb (relative)', 'cb', {}, 'absolute'],
    ['RFC 6749 §3.1.2: rejects //c.example/cb (network-path)', '//c.example/cb', {}, 'absolute'],
    ['RFC 6749 §3.1.2: rejects ../cb (relative)', '../cb', NATIVE_PUBLIC, 'absolute'],
    ['RFC 6749 §3.1.2: rejects https:// (no host)', 'https://', {}, 'absolute'],
    [
      'RFC 6749 §3.1.2: rejects 1https://c.example/cb (bad scheme)',
      '1https://c.example/cb',
      {},
      'absolute',
    ],
    [
      'RFC 6749 §3.1.2: rejects https://c.example/cb#frag (fragment)',
      'https://c.example/cb#frag',
      {},
      'fragment',
    ],
    [
      'RFC 6749 §3.1.2: rejects https://c.example/cb# (empty fragment)',
      'https://c.example/cb#',
      {},
      'fragment',
    ],
    [
      'RFC 6749 §3.1.2: rejects http://127.0.0.1/cb#x (fragment on loopback)',
      'http://127.0.0.1/cb#x',
      {},
      'fragment',
    ],
    [
      'RFC 6749 §3.1.2: rejects com.example.app:/cb#x (fragment, native)',
      'com.example.app:/cb#x',
      NATIVE_PUBLIC,
      'fragment',
    ],
  ])
})

describe('RFC 9110 §4.2.2: an https URI has an authority; nothing the URL parser rewrites is registered', () => {
  // WHATWG URL turns each of these into https://c.example/cb, so every host check passes, but
  // the registered string is not an https-URI (RFC 9110 §4.2.2: "https" "://" authority …).
  // Sent back as `Location: https:c.example/cb?code=…`, a browser resolves the first two
  // against the authorization server's own origin: https://as.example/c.example/cb?code=…
  refuses([
    [
      'RFC 9110 §4.2.2: rejects https:c.example/cb (no "//" authority)',
      'https:c.example/cb',
      {},
      'https:c.example/cb',
    ],
    [
      'RFC 9110 §4.2.2: rejects https:/c.example/cb (no "//" authority)',
      'https:/c.example/cb',
      {},
      'https:/c.example/cb',
    ],
    [
      'RFC 9110 §4.2.2: rejects https:///c.example/cb (empty authority)',
      'https:///c.example/cb',
      {},
      'https:///c.example/cb',
    ],
  ])
})

describe('RFC 3986 §2: whitespace and control characters are never part of a URI', () => {
  refuses(
    [
      ['space', 'https://c.example/c b'],
      ['leading space', ' https://c.example/cb'],
      ['trailing space', 'https://c.example/cb '],
      ['tab', 'https://c.ex\tample/cb'],
      ['line feed', 'https://c.example/cb\n'],
      ['carriage return', 'https://c.example/\rcb'],
      ['NUL', 'https://c.example/cb\u0000'],
      ['DEL', 'https://c.example/cb\u007f'],
      ['no-break space', 'https://c.example/\u00a0cb'],
      ['line separator', 'https://c.example/\u2028cb'],
    ].map(
      ([what = '', uri = '']): RefusedRow => [
        `RFC 3986 §2: rejects a redirect URI with a ${what}`,
        uri,
        {},
        'whitespace',
      ],
    ),
  )
})

describe('RFC 9700 §2.6, A18: http only for loopback (RFC 8252 §7.3, A15)', () => {
  const clients: readonly (readonly [string, Partial<RedirectUriRules>])[] = [
    ['a confidential web client', {}],
    ['a public web client', PUBLIC],
    ['a confidential native client', NATIVE],
    ['a public native client', NATIVE_PUBLIC],
  ]
  const loopback = [
    'http://127.0.0.1/cb',
    'http://127.0.0.1:51004/cb',
    'http://[::1]/cb',
    'http://[::1]:61023/cb?x=1',
    'http://localhost/cb',
    'http://localhost:3000/cb',
    'HTTP://LOCALHOST:3000/cb',
  ]
  accepts(
    clients.flatMap(([kind, overrides]) =>
      loopback.map((uri): Row => [`RFC 8252 §7.3: accepts ${uri} for ${kind}`, uri, overrides]),
    ),
  )
  refuses(
    clients.flatMap(([kind, overrides]) =>
      [
        'http://c.example/cb',
        'http://192.168.1.5/cb',
        'http://10.0.0.1:8080/cb',
        'http://localhost.evil.example/cb',
        'http://127.0.0.1.evil.example/cb',
      ].map(
        (uri): RefusedRow => [`RFC 9700 §2.6: rejects ${uri} for ${kind}`, uri, overrides, 'https'],
      ),
    ),
  )
  accepts([
    [
      'R7591-05 (p): http://c.example/cb accepted when requireHttps is off',
      'http://c.example/cb',
      LAX,
    ],
    ['OAuth 2.1 §2.3.1: https://c.example/cb is accepted', 'https://c.example/cb', {}],
    [
      'RFC 3986 §6.2.2.1: HTTPS://C.EXAMPLE/cb (scheme and host case) is accepted',
      'HTTPS://C.EXAMPLE/cb',
      {},
    ],
    ['OAuth 2.1 §2.3.1: a query component is allowed', 'https://c.example/cb?tenant=a&x=1', {}],
  ])
})

describe('RFC 9700 §2.6, A17: dangerous schemes are refused for every client and configuration', () => {
  const dangerous = [
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'javascript://c.example/%0Aalert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'file://c.example/share/cb',
    'about:blank',
    'blob:https://c.example/0b7c3c4e-1d1a-4c4e-9d43-5b2e8f1f9a7e',
  ]
  const lenient: readonly (readonly [string, Partial<RedirectUriRules>])[] = [
    ['a confidential web client', LAX],
    ['a public native client', { ...NATIVE_PUBLIC, ...LAX }],
    ['a native client', { ...NATIVE, ...LAX }],
    ['a public web client', { ...PUBLIC, ...LAX }],
  ]
  refuses(
    lenient.flatMap(([kind, overrides]) =>
      dangerous.map(
        (uri): RefusedRow => [
          `RFC 9700 §2.6: rejects ${uri} for ${kind} with requireHttps off`,
          uri,
          overrides,
          'scheme',
        ],
      ),
    ),
  )
})

describe('RFC 8252 §7.1, A17: private-use URI schemes', () => {
  const schemes = [
    'cursor://callback',
    'com.example.app:/oauth2redirect',
    'com.example.app:/oauth2redirect/example-provider',
    'myapp:cb',
    'vscode://publisher.extension/auth',
  ]
  accepts(
    [NATIVE, PUBLIC, NATIVE_PUBLIC].flatMap((overrides) =>
      schemes.map(
        (uri): Row => [
          `RFC 8252 §7.1: accepts ${uri} for ${JSON.stringify(overrides)}`,
          uri,
          overrides,
        ],
      ),
    ),
  )
  refuses(
    schemes.flatMap((uri): RefusedRow[] => [
      [`RFC 8252 §7.1: rejects ${uri} for a confidential web client`, uri, {}, 'native'],
      [
        `RFC 8252 §7.1: rejects ${uri} for a confidential web client even with requireHttps off`,
        uri,
        LAX,
        'native',
      ],
    ]),
  )
  refuses([
    [
      'RFC 8252 §8.4, A17: rejects cursor://callback when reverse-domain schemes are required',
      'cursor://callback',
      { ...NATIVE, requireReverseDomainSchemes: true },
      'reverse-domain',
    ],
    [
      'RFC 8252 §8.4, A17: rejects myapp:cb when reverse-domain schemes are required',
      'myapp:cb',
      { ...NATIVE_PUBLIC, requireReverseDomainSchemes: true },
      'reverse-domain',
    ],
  ])
  accepts([
    [
      'RFC 8252 §7.1: accepts com.example.app:/oauth2redirect when reverse-domain schemes are required',
      'com.example.app:/oauth2redirect',
      { ...NATIVE, requireReverseDomainSchemes: true },
    ],
  ])
})

describe('RFC 8252 §7.1, A42: a private-use scheme is no scheme the browser or the OS handles itself', () => {
  const handled = [
    'view-source:https://c.example/cb',
    'chrome://settings/cb',
    'chrome-extension://abcdefghijklmnop/cb',
    'edge://settings/cb',
    'filesystem:https://c.example/temporary/cb',
    'ws://c.example/cb',
    'wss://c.example/cb',
    'ftp://c.example/cb',
    'sftp://c.example/cb',
    'mailto:cb@c.example',
    'MAILTO:cb@c.example',
    'tel:+15550100',
    'sms:+15550100',
    'news:comp.lang.cb',
    'irc://irc.c.example/cb',
    'git://c.example/cb.git',
    'ssh://c.example/cb',
    'telnet://c.example/',
    'ldap://c.example/o=cb',
    'urn:ietf:params:oauth:cb',
    'tag:c.example,2026:cb',
    'geo:37.786971,-122.399677',
    'magnet:?xt=urn:btih:cb',
    'market://details?id=com.example.app',
    'intent://cb/',
    'content://com.example.app.provider/cb',
    'ms-settings:privacy',
    'ms-word:ofe|u|https://c.example/cb.docx',
    'ms-appinstaller:?source=https://c.example/cb',
    'search-ms:query=cb',
    'z39.50r://c.example/cb',
  ]
  refuses(
    [NATIVE, NATIVE_PUBLIC, { ...NATIVE_PUBLIC, requireReverseDomainSchemes: true }].flatMap(
      (overrides) =>
        handled.map(
          (uri): RefusedRow => [
            `RFC 8252 §7.1: rejects ${uri} for ${JSON.stringify(overrides)}`,
            uri,
            overrides,
            'handles itself',
          ],
        ),
    ),
  )
  accepts(
    [
      // Used by real desktop and MCP clients; vscode is a provisional IANA entry naming one app,
      // the very app that is the client.
      'cursor://anysphere.cursor-retrieval/oauth/user-callback',
      'vscode://publisher.extension/auth',
      'vscode-insiders://publisher.extension/auth',
      'claude://oauth/callback',
      'windsurf://codeium.windsurf/cb',
      'my-app://cb',
      'com.example.app:/oauth2redirect',
      'io.github.example.desktop:/cb',
    ].map(
      (uri): Row => [
        `RFC 8252 §7.1: accepts ${uri} for a public native client`,
        uri,
        NATIVE_PUBLIC,
      ],
    ),
  )

  it('the refusal names the scheme, the rule and what to use instead', () => {
    const error = refusal('view-source:https://c.example/cb', NATIVE_PUBLIC)
    expect(error.description).toContain("'view-source'")
    expect(error.description).toContain('RFC 8252')
    expect(error.description).toContain('reverse-domain')
  })
})

describe('RFC 8252 §7.2, A16: claimed https redirect URIs for native clients', () => {
  accepts([
    [
      'A16: accepts https://app.example.com/oauth for a native client',
      'https://app.example.com/oauth',
      NATIVE,
    ],
    [
      'A16: accepts https://app.example.com/oauth for a public native client',
      'https://app.example.com/oauth',
      NATIVE_PUBLIC,
    ],
  ])
})

describe('RFC 3986 §3.2.1: no user credentials in a redirect URI', () => {
  refuses([
    [
      'RFC 3986 §3.2.1: rejects https://user:pw@c.example/cb',
      'https://user:pw@c.example/cb',
      {},
      'credentials',
    ],
    [
      'RFC 3986 §3.2.1: rejects https://user@c.example/cb',
      'https://user@c.example/cb',
      {},
      'credentials',
    ],
    ['RFC 3986 §3.2.1: rejects http://a@127.0.0.1/cb', 'http://a@127.0.0.1/cb', {}, 'credentials'],
  ])
})

describe('ROIDCR-04: a web client using implicit needs https on a host other than localhost', () => {
  const implicitWeb: Partial<RedirectUriRules> = { implicit: true }
  refuses([
    [
      'ROIDCR-04: rejects http://localhost/cb for an implicit web client',
      'http://localhost/cb',
      implicitWeb,
      'implicit',
    ],
    [
      'ROIDCR-04: rejects http://127.0.0.1/cb for an implicit web client',
      'http://127.0.0.1/cb',
      implicitWeb,
      'implicit',
    ],
    [
      'ROIDCR-04: rejects https://localhost/cb for an implicit web client',
      'https://localhost/cb',
      implicitWeb,
      'implicit',
    ],
    [
      'ROIDCR-04: rejects http://c.example/cb for an implicit web client, requireHttps off',
      'http://c.example/cb',
      { ...implicitWeb, ...LAX },
      'implicit',
    ],
  ])
  accepts([
    [
      'ROIDCR-04: accepts https://c.example/cb for an implicit web client',
      'https://c.example/cb',
      implicitWeb,
    ],
    [
      'ROIDCR-03: accepts http://127.0.0.1/cb for an implicit native client',
      'http://127.0.0.1/cb',
      { implicit: true, ...NATIVE },
    ],
  ])
})

describe('RFC 7591 §5 (p): host allow-list, exact names or *.domain, loopback exempt', () => {
  const hosts: Partial<RedirectUriRules> = { allowedHosts: ['c.example', '*.Example.com'] }
  accepts(
    [
      'https://c.example/cb',
      'https://c.example:8443/cb',
      'https://C.EXAMPLE/cb',
      'https://app.example.com/cb',
      'https://deep.app.example.com/cb',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'http://localhost:3000/cb',
    ].map(
      (uri): Row => [
        `RFC 7591 §5: accepts ${uri} with hosts [c.example, *.Example.com]`,
        uri,
        hosts,
      ],
    ),
  )
  refuses(
    [
      'https://evil.example/cb',
      'https://example.com/cb',
      'https://evilexample.com/cb',
      'https://c.example.evil.example/cb',
      'https://app.example.com.evil.example/cb',
      'https://sub.c.example/cb',
    ].map(
      (uri): RefusedRow => [
        `RFC 7591 §5: rejects ${uri} with hosts [c.example, *.Example.com]`,
        uri,
        hosts,
        'host',
      ],
    ),
  )
  accepts([
    [
      'RFC 7591 §5: an empty allow-list still admits loopback',
      'http://127.0.0.1/cb',
      { allowedHosts: [] },
    ],
    [
      'RFC 7591 §5: a private-use scheme has no host to check',
      'com.example.app:/cb',
      { ...NATIVE, allowedHosts: [] },
    ],
  ])
  refuses([
    [
      'RFC 7591 §5: an empty allow-list refuses every remote host',
      'https://c.example/cb',
      { allowedHosts: [] },
      'host',
    ],
  ])
})

describe('RFC 7591 §3.2.2: the description names the field it is about', () => {
  it('uses the field path given by the caller', () => {
    const error = refusal('https://c.example/cb#x', {}, 'redirect_uris[3]')
    expect(error.description).toContain('redirect_uris[3]')
    expect(error.description).toContain("'https://c.example/cb#x'")
  })
})
