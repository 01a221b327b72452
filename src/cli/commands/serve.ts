import { parseArgs } from 'node:util'
import pino from 'pino'
import type { RegistrarOptions } from '../../options.js'
import { createRegistrar } from '../../registrar.js'
import { LOG_LEVELS } from '../../server/config-file.js'
import { startServer } from '../../server/start-server.js'
import { COMMON_FLAGS, openStore, parseIntegerFlag, readConfig } from '../settings.js'
import { UsageError } from '../usage-error.js'

export const SERVE_HELP = `registrar serve [options]

  --port <n>          port to listen on (default 8080; 0 picks a free one)
  --host <addr>       address to bind (default 127.0.0.1)
  --issuer <url>      issuer URL (default http://<host>:<port>; https unless loopback)
  --database <url>    sqlite:<path> (default sqlite:./registrar.db) or
                      postgres://user@host/db[?pool=10&statement_timeout=5000&schema=name]
  --config <file>     JSON configuration file (see README)
  --log-level <lvl>   fatal|error|warn|info|debug|trace|silent (default info)`

export async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      port: { type: 'string' },
      host: { type: 'string' },
      issuer: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  const config = await readConfig(values.config)
  const host = values.host ?? config.host
  const port = parseIntegerFlag('port', values.port, 0) ?? config.port
  const level = values['log-level'] ?? config.logLevel
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`)
  }
  // Logs go to stderr: stdout carries only the `listening on` line a supervisor waits for.
  const logger = pino({ level, base: { service: 'registrar' } }, pino.destination(2))

  const store = await openStore(values.database, config, logger, true)
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    // Every setting the file holds goes to createRegistrar as parsed (src/options.ts), so a new
    // option can never be dropped here; the server's own keys stay with the server.
    const { host: _host, port: _port, database: _database, logLevel: _logLevel, ...file } = config
    const { issuer: configIssuer, ...settings } = file
    server = await startServer(host, port, (boundUrl) => {
      try {
        return createRegistrar({
          // zod's output types are wider than the options' (mutable arrays, `?: T | undefined`);
          // the values are the ones it validated, and createRegistrar validates them again.
          ...(settings as Omit<RegistrarOptions, 'issuer' | 'store' | 'logger'>),
          issuer: values.issuer ?? configIssuer ?? boundUrl,
          store,
          logger,
        })
      } catch (error) {
        throw new UsageError(
          `${(error as Error).message}${values.issuer === undefined && configIssuer === undefined ? ' (pass --issuer https://your.host)' : ''}`,
        )
      }
    })
  } catch (error) {
    await store.close()
    throw error
  }
  logger.info({ url: server.url }, 'registrar started')
  process.stdout.write(`listening on ${server.url}\n`)

  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      logger.info({ signal }, 'shutting down: draining requests in flight')
      server
        .close()
        .then(() => store.close())
        .then(() => {
          logger.info({}, 'stopped')
          logger.flush()
          resolve(0)
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed')
          resolve(1)
        })
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}
