import { type OutboundAuth, basicAuth, bearerAuth, headerAuth } from '@webhook-trigger/client'
import { readSecret } from './secrets.js'
import { UsageError } from './usage-error.js'

/** The credential flags as commander parses them. */
export interface AuthFlags {
  tenant?: string
  header?: string
  tokenEnv?: string
  tokenFile?: string
  bearerEnv?: string
  bearerFile?: string
  secretEnv?: string
  secretFile?: string
}

const HOW = '--tenant <id> --token-env <VAR>, --bearer-env <VAR>, or --header <name> --token-env <VAR>'

/** Builds a library helper, turning its TypeError (which never quotes a secret) into a one-line usage error. */
export function build<T>(make: () => T): T {
  try {
    return make()
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message)
    throw error
  }
}

/** The credentials relay, intermediary and send attach to each request they make. */
export function outboundAuth(flags: AuthFlags, target: string): OutboundAuth {
  const token = readSecret('token', { env: flags.tokenEnv, file: flags.tokenFile })
  const bearerToken = readSecret('bearer', { env: flags.bearerEnv, file: flags.bearerFile })
  if (bearerToken !== undefined) {
    if (token !== undefined || flags.tenant !== undefined || flags.header !== undefined) throw new UsageError(`--bearer-env stands alone: drop --tenant, --header and --token-env`)
    return build(() => bearerAuth(bearerToken))
  }
  if (flags.tenant !== undefined && flags.header !== undefined) throw new UsageError('give --tenant (HTTP Basic) or --header <name>, not both')
  if (token === undefined) {
    if (flags.tenant !== undefined || flags.header !== undefined) throw new UsageError(`--${flags.tenant !== undefined ? 'tenant' : 'header'} needs --token-env <VAR> or --token-file <path>`)
    throw new UsageError(`give credentials for ${target}: ${HOW}`)
  }
  const { tenant, header: name } = flags
  if (name !== undefined) return build(() => headerAuth(name, token))
  if (tenant === undefined) throw new UsageError('--token-env needs --tenant <id> (HTTP Basic) or --header <name>')
  return build(() => basicAuth(tenant, token))
}
