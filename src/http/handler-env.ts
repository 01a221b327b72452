/** What an adapter tells the handler about the connection, beyond the Request itself. */
export interface RequestContext {
  /** The peer's IP address as the socket sees it. */
  readonly remoteAddress?: string | null
}

/** What every route sees beside the Request, worked out once per request by the handler. */
export interface RequestBindings {
  /**
   * The client's address after the trusted proxies (options.trustProxyHops, client-address.ts),
   * for rate limits, the login throttle and provenance; null when the adapter gave none.
   */
  readonly clientAddress: string | null
}

export interface HandlerEnv {
  Bindings: RequestBindings
}
