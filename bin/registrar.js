#!/usr/bin/env node
// The CLI runs from the compiled output; `npm ci` builds it through the prepare script.
try {
  await import('../dist/cli/run.js')
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/run.js')) {
    process.stderr.write('registrar: not built yet; run `npm run build` (npm ci does it for you)\n')
    process.exit(1)
  }
  throw error
}
