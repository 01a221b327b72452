import { CLIENT_HELP, client } from './commands/client.js'
import { IAT_HELP, initialAccessToken } from './commands/initial-access-token.js'
import { MIGRATE_HELP, migrate } from './commands/migrate.js'
import { SERVE_HELP, serve } from './commands/serve.js'
import { USER_HELP, user } from './commands/user.js'
import { UsageError } from './usage-error.js'

const HELP = `registrar: an OAuth 2.1 authorization server for dynamically registered clients

${SERVE_HELP}

${MIGRATE_HELP}

${IAT_HELP}

${CLIENT_HELP}

${USER_HELP}`

/** Runs one command and returns its exit code: 0 done, 1 failed, 2 called wrongly. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv
  try {
    switch (command) {
      case 'serve':
        return await serve(args)
      case 'migrate':
        return await migrate(args)
      case 'initial-access-token':
        return await initialAccessToken(args)
      case 'client':
        return await client(args)
      case 'user':
        return await user(args)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${HELP}\n`)
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command '${command}'; run 'registrar help'`)
    }
  } catch (error) {
    // parseArgs reports unknown flags as TypeError with code ERR_PARSE_ARGS_*.
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`registrar: ${(error as Error).message}\n`)
      return 2
    }
    process.stderr.write(`registrar: ${describeFailure(error)}\n`)
    return 1
  }
}

/**
 * Node.js reports a refused connection to a host with several addresses (localhost: ::1 and
 * 127.0.0.1) as an AggregateError whose own message is empty: say what each attempt met.
 */
function describeFailure(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map((inner: unknown) => describeFailure(inner)).join('; ')
  }
  if (error instanceof Error) {
    return error.message === ''
      ? ((error as NodeJS.ErrnoException).code ?? error.name)
      : error.message
  }
  return String(error)
}
