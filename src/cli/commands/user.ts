import { parseArgs } from 'node:util'
import { addUser } from '../../core/users/add-user.js'
import { isShortPassword } from '../../core/users/check-credentials.js'
import { COMMON_FLAGS, openStore, readConfig } from '../settings.js'
import { UsageError } from '../usage-error.js'

export const USER_HELP = `registrar user add <username> (--password <pw> | --password-stdin)
registrar user list [--json]
registrar user delete <username>

  --password-stdin   read the password from standard input (one trailing newline is dropped);
                     prefer it to --password, which shell history and ps can show
  --database <url>, --config <file>

Users sign in on the built-in login page (standalone mode); passwords are stored as scrypt hashes.`

export async function user(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      ...COMMON_FLAGS,
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  })
  if (sub !== 'add' && sub !== 'list' && sub !== 'delete') {
    throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\n${USER_HELP}`)
  }
  const username = positionals[0]
  if (sub !== 'list' && username === undefined) {
    throw new UsageError(`usage: registrar user ${sub} <username>`)
  }
  const password = sub === 'add' ? await readPassword(values) : null
  const config = await readConfig(values.config)
  const store = await openStore(values.database, config)
  try {
    if (sub === 'list') {
      const users = await store.listUsers()
      if (values.json === true) {
        // Never the password hash: it is nobody's business, and it is offline-crackable.
        const described = users.map((u) => ({
          id: u.id,
          username: u.username,
          created_at: new Date(u.createdAt * 1000).toISOString(),
        }))
        process.stdout.write(`${JSON.stringify(described, null, 2)}\n`)
      } else {
        for (const u of users) {
          process.stdout.write(
            `${u.id}\t${u.username}\t${new Date(u.createdAt * 1000).toISOString()}\n`,
          )
        }
      }
      return 0
    }
    const name = username as string
    if (sub === 'add') {
      if ((await store.findUserByUsername(name)) !== null) {
        process.stderr.write(`a user named '${name}' already exists\n`)
        return 1
      }
      let created: Awaited<ReturnType<typeof addUser>>
      try {
        created = await addUser(store, name, password ?? '', Math.floor(Date.now() / 1000))
      } catch (error) {
        if (error instanceof TypeError) throw new UsageError(error.message)
        throw error
      }
      if (isShortPassword(password ?? '')) {
        process.stderr.write(
          'warning: the password is shorter than 8 characters (NIST SP 800-63B asks for at least 8)\n',
        )
      }
      process.stdout.write(`added ${created.username} (${created.id})\n`)
      return 0
    }
    const found = await store.findUserByUsername(name)
    if (found === null || !(await store.deleteUser(found.id))) {
      process.stderr.write(`no user named '${name}'\n`)
      return 1
    }
    // deleteUser also ends the user's sessions and removes their consents, codes and tokens.
    process.stdout.write(`deleted ${found.username}\n`)
    return 0
  } finally {
    await store.close()
  }
}

async function readPassword(values: {
  readonly password?: string | undefined
  readonly 'password-stdin'?: boolean | undefined
}): Promise<string> {
  const fromStdin = values['password-stdin'] === true
  if (fromStdin === (values.password !== undefined)) {
    throw new UsageError('user add needs exactly one of --password <pw> or --password-stdin')
  }
  if (!fromStdin) return values.password ?? ''
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  // `echo pw | registrar user add …` ends the password with a newline that is not part of it.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}
