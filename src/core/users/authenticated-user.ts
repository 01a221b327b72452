/** The signed-in end user, as the built-in login or the host's authenticateUser hook knows them. */
export interface AuthenticatedUser {
  readonly id: string
  readonly username?: string
  /** Epoch seconds of the last password entry, for prompt=login; defaults to now. */
  readonly authTime?: number
}
