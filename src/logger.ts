/**
 * The logging port: the subset of pino's API registrar calls, so a host can pass its own pino
 * instance (or anything shaped like it) and protocol code never imports a logging library.
 */
export interface Logger {
  /**
   * What only someone chasing a problem wants (a client that hung up mid-request). Optional, so
   * a host's logger with the three levels below keeps working; pino has it.
   */
  debug?(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
}
