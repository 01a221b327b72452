import { parseArgs } from 'node:util'
import { issueInitialAccessToken } from '../../core/registration/initial-access-token.js'
import { COMMON_FLAGS, openStore, parseIntegerFlag, readConfig } from '../settings.js'
import { UsageError } from '../usage-error.js'

export const IAT_HELP = `registrar initial-access-token create [options]
registrar initial-access-token list
registrar initial-access-token revoke <id>

  --expires-in <seconds>   lifetime (default: never expires)
  --max-uses <n>           registrations it admits (default: unlimited)
  --description <text>     a note for operators
  --database <url>, --config <file>

create prints the token alone on stdout; it is shown once and stored only as a hash.`

export async function initialAccessToken(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      ...COMMON_FLAGS,
      'expires-in': { type: 'string' },
      'max-uses': { type: 'string' },
      description: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  })
  const config = await readConfig(values.config)
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
    throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\n${IAT_HELP}`)
  }
  const store = await openStore(values.database, config)
  try {
    const now = Math.floor(Date.now() / 1000)
    if (sub === 'create') {
      const { token } = await issueInitialAccessToken(
        store,
        {
          expiresInSeconds: parseIntegerFlag('expires-in', values['expires-in'], 1) ?? null,
          maxUses: parseIntegerFlag('max-uses', values['max-uses'], 1) ?? null,
          description: values.description ?? null,
        },
        now,
      )
      process.stdout.write(`${token}\n`)
      return 0
    }
    if (sub === 'list') {
      for (const t of await store.listInitialAccessTokens()) {
        const state =
          t.revokedAt !== null
            ? 'revoked'
            : t.expiresAt !== null && t.expiresAt <= now
              ? 'expired'
              : t.maxUses !== null && t.uses >= t.maxUses
                ? 'used up'
                : 'usable'
        process.stdout.write(
          `${t.id}\t${state}\tuses ${t.uses}${t.maxUses === null ? '' : `/${t.maxUses}`}\texpires ${t.expiresAt === null ? 'never' : new Date(t.expiresAt * 1000).toISOString()}\t${t.description ?? ''}\n`,
        )
      }
      return 0
    }
    const [id] = positionals
    if (id === undefined) throw new UsageError('usage: registrar initial-access-token revoke <id>')
    if (!(await store.revokeInitialAccessToken(id, now))) {
      process.stderr.write(`no usable initial access token with id ${id}\n`)
      return 1
    }
    process.stdout.write(`revoked ${id}\n`)
    return 0
  } finally {
    await store.close()
  }
}
