import { main } from './main.js'

// The entry point of bin/registrar.js: run, then exit with the command's code once stdout has
// been flushed (process.exit would cut a piped `initial-access-token create` short).
const code = await main(process.argv.slice(2))
process.exitCode = code
