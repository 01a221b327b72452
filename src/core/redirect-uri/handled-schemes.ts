/**
 * URI schemes that the browser, the operating system or a general-purpose program (mail, phone,
 * file transfer, a shell) handles itself, so they are never an app's private-use scheme
 * (RFC 8252 §7.1, docs/decisions.md A42). A redirect to one of them does not reach the client:
 * it loads a page or a browser view (`view-source:`, `chrome:`, `ws:`), opens a mail, a call or
 * a message (`mailto:`, `tel:`, `sms:`), or starts an OS handler (`ms-settings:`, `intent:`),
 * and the authorization code goes along to whatever that is.
 *
 * Taken from the IANA URI Schemes registry (https://www.iana.org/assignments/uri-schemes/:
 * permanent, provisional and historical entries) and from the schemes browsers and operating
 * systems handle without registering them (`chrome-extension`, `edge`, `intent`, `search-ms`).
 * Schemes that name one vendor's app (`vscode`, `slack`, `spotify`, `steam`…), registered
 * provisionally or not, are left out on purpose: that app is exactly the kind of native client a
 * private-use scheme is for, and refusing it would lock out real clients. Names are lowercase
 * without the colon, as URL.protocol gives them once the colon is cut.
 */
const HANDLED_SCHEMES: ReadonlySet<string> = new Set([
  // The web and its transports: the browser or a network client fetches these, so the code
  // would leave the device or land on a page.
  'http',
  'https',
  'ws',
  'wss',
  'ftp',
  'ftps',
  'sftp',
  'tftp',
  'gopher',
  'shttp',
  'wais',
  'prospero',
  'rsync',
  'smb',
  'nfs',
  'afp',
  'afs',
  'dav',
  'ipfs',
  'ipns',
  'coap',
  'coaps',
  'coap+tcp',
  'coaps+tcp',
  'coap+ws',
  'coaps+ws',
  'rtsp',
  'rtsps',
  'rtspu',
  'rtmp',
  'rtmfp',
  'mms',
  'icap',
  'ipp',
  'ipps',
  'webcal',
  'feed',
  // Local content, script and the browser's own views (dangerous-schemes.ts refuses the first
  // six with their own message; listed again so this set is the whole rule).
  'file',
  'data',
  'blob',
  'about',
  'javascript',
  'vbscript',
  'view-source',
  'filesystem',
  'jar',
  'resource',
  'cid',
  'mid',
  'thismessage',
  'wyciwyg',
  'isostore',
  'res',
  'mhtml',
  'chrome',
  'chrome-extension',
  'chrome-search',
  'chrome-untrusted',
  'devtools',
  'edge',
  'brave',
  'opera',
  'vivaldi',
  'moz-extension',
  'safari-extension',
  'safari-web-extension',
  'browserext',
  // Operating-system handlers: Android intents and stores, Apple's stores and maps, Windows
  // app packages and shell search (ms-* below).
  'android-app',
  'intent',
  'content',
  'market',
  'itms',
  'itms-apps',
  'itms-services',
  'maps',
  'search-ms',
  'shell',
  // Mail, calls, messages and chat: the OS hands these to the user's own program.
  'mailto',
  'tel',
  'sms',
  'callto',
  'facetime',
  'facetime-audio',
  'sip',
  'sips',
  'im',
  'pres',
  'xmpp',
  'jabber',
  'irc',
  'irc6',
  'ircs',
  'news',
  'nntp',
  'snews',
  'fax',
  'modem',
  'message',
  'msnim',
  'aim',
  'ymsgr',
  'gtalk',
  'geo',
  // Remote shells, directories and version control.
  'ssh',
  'telnet',
  'tn3270',
  'rlogin',
  'vnc',
  'rdp',
  'ldap',
  'ldaps',
  'git',
  'svn',
  'cvs',
  // Names, not locations: nothing could be listening for them.
  'urn',
  'tag',
  'info',
  'oid',
  'doi',
  'did',
  'dns',
  'ni',
  'nih',
  'crid',
  'example',
  'magnet',
  // Dotted names in the registry, which would otherwise pass for reverse-domain schemes.
  'iris.beep',
  'iris.lwz',
  'iris.xpc',
  'iris.xpcs',
  'microsoft.windows.camera',
  'microsoft.windows.camera.multipicker',
  'microsoft.windows.camera.picker',
  'soap.beep',
  'soap.beeps',
  'xmlrpc.beep',
  'xmlrpc.beeps',
  'z39.50',
  'z39.50r',
  'z39.50s',
])

/**
 * The registry holds over sixty `ms-` schemes (`ms-settings`, `ms-word`, `ms-appinstaller`,
 * `ms-msdt`…), all Windows and Office handlers, and new ones keep arriving: the prefix is the rule.
 */
const HANDLED_PREFIXES: readonly string[] = ['ms-']

/** Whether `scheme` (lowercase, no colon) is one the browser or the OS handles itself. */
export function isHandledScheme(scheme: string): boolean {
  return HANDLED_SCHEMES.has(scheme) || HANDLED_PREFIXES.some((prefix) => scheme.startsWith(prefix))
}
