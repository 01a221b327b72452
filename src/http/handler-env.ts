/** What an adapter tells the handler about the connection, beyond the Request itself. */
export interface RequestContext {
  /** The peer's IP address as the socket sees it. */
  readonly remoteAddress?: string | null
}

export interface HandlerEnv {
  Bindings: RequestContext
}
