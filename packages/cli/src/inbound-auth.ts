import { type AuthScheme, basic, bearer, header, standardWebhooks, tenants } from '@webhook-trigger/core'
import { type AuthFlags, build } from './auth.js'
import { readSecret } from './secrets.js'
import { UsageError } from './usage-error.js'

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
