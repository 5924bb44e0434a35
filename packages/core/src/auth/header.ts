import { checkOptions, headerAuth, optionKeys } from '@webhook-trigger/client'
import { type Credentials, type Identity, identityCredentials, isIdentity, resolveCredentials } from './credentials.js'
import { type AttachingScheme, type AuthOutcome, type AuthScheme, MAX_CREDENTIAL_LENGTH, outcome, quotedRealm } from './scheme.js'

export interface HeaderOptions {
  /**
   * Text before the token, matched case-insensitively (`"Token "` for
   * `X-Auth: Token abc`).
   * @default ""
   */
  prefix?: string
  /**
   * Realm named in the `WWW-Authenticate` challenge.
   * @default "webhook"
   */
  realm?: string
}

const HEADER_KEYS = optionKeys<HeaderOptions>()('prefix', 'realm')

// RFC 9110 section 5.1: a field name is a token.
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * A custom header carrying the token, such as `X-Api-Key`. The token alone
 * identifies the tenant. Given one identity, it can also attach it.
 *
 * @example
 * webhook({ auth: header('X-Api-Key', tenants({ crm: 'crm_key_123' })) })
 * forward({ to, auth: header('X-Api-Key', { token: 'crm_key_123' }) })
 */
export function header(name: string, identity: Identity, options?: HeaderOptions): AttachingScheme
export function header(name: string, credentials: Credentials, options?: HeaderOptions): AuthScheme
export function header(name: string, source: Credentials | Identity, options: HeaderOptions = {}): AuthScheme {
  if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
    throw new TypeError('header(): the first argument must be a header name, e.g. header("X-Api-Key", credentials)')
  }
  checkOptions('header()', options, HEADER_KEYS)
  const given: unknown = options.prefix ?? ''
  // Checked before any string method is called on it: a number has no toLowerCase.
  if (typeof given !== 'string' || /[\r\n]/.test(given)) {
    throw new TypeError('header(): "prefix" must be a single-line string, e.g. prefix: "Token "')
  }
  const prefix = given.toLowerCase()
  const identity = isIdentity(source) ? source : undefined
  const check = resolveCredentials(identity ? identityCredentials(identity, 'header') : (source as Credentials), 'header', 'tenantOf')
  const key = name.toLowerCase()
  const challenge = `ApiKey ${quotedRealm('header', options.realm)}, header="${name}"`
  const invalid = (): AuthOutcome => ({ ok: false, code: 'auth.invalid', detail: `The ${name} header is not valid.` })

  return {
    name: 'header',
    challenge,
    field: key,
    stable: check.stable,
    ...(identity && headerAuth(name, identity.token, options.prefix)),
    authenticate(headers) {
      const value = headers[key]
      if (value === undefined) return undefined
      if (typeof value !== 'string' || value.length > MAX_CREDENTIAL_LENGTH) return invalid()
      if (value.slice(0, prefix.length).toLowerCase() !== prefix) return invalid()
      const token = value.slice(prefix.length).trim()
      if (token === '') return invalid()
      return outcome(check.verify(token), invalid)
    },
  }
}
