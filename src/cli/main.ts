import { CLIENT_HELP, client } from './commands/client.js'
import { IAT_HELP, initialAccessToken } from './commands/initial-access-token.js'
import { SERVE_HELP, serve } from './commands/serve.js'
import { UsageError } from './usage-error.js'

const HELP = `registrar: an OAuth 2.1 authorization server for dynamically registered clients

${SERVE_HELP}

${IAT_HELP}

${CLIENT_HELP}`

/** Runs one command and returns its exit code: 0 done, 1 failed, 2 called wrongly. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv
  try {
    switch (command) {
      case 'serve':
        return await serve(args)
      case 'initial-access-token':
        return await initialAccessToken(args)
      case 'client':
        return await client(args)
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
    process.stderr.write(`registrar: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
