import { type OutboundAuth, basicAuth, bearerAuth, headerAuth } from '@webhook-trigger/client'
import { type AuthScheme, basic, bearer, header, standardWebhooks, tenants } from '@webhook-trigger/core'
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
function build<T>(make: () => T): T {
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

/**
 * What `listen` accepts: the tenant's token as HTTP Basic or Bearer (or in
 * `--header`), and/or a Standard Webhooks signature made with the secret.
 */
export function inboundSchemes(flags: AuthFlags): AuthScheme[] {
  const tenant = flags.tenant ?? 'local'
  const token = readSecret('token', { env: flags.tokenEnv, file: flags.tokenFile })
  const secret = readSecret('secret', { env: flags.secretEnv, file: flags.secretFile })
  const schemes: AuthScheme[] = []
  if (token !== undefined) {
    const credentials = build(() => tenants({ [tenant]: token }))
    schemes.push(...(flags.header === undefined ? [basic(credentials), bearer(credentials)] : [build(() => header(flags.header!, credentials))]))
  } else if (flags.header !== undefined || flags.tenant !== undefined) {
    if (secret === undefined || flags.header !== undefined) throw new UsageError(`--${flags.header !== undefined ? 'header' : 'tenant'} needs --token-env <VAR> or --token-file <path>`)
  }
  if (secret !== undefined) schemes.push(build(() => standardWebhooks({ secret, tenant })))
  if (schemes.length === 0) throw new UsageError('say what to accept: --tenant <id> --token-env <VAR> (Basic or Bearer), or --secret-env <VAR> (Standard Webhooks)')
  return schemes
}
