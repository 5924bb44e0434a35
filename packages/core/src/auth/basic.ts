import { isUtf8 } from 'node:buffer'
import { basicAuth, checkOptions, optionKeys } from '@webhook-trigger/client'
import { type Credentials, type Identity, identityCredentials, isIdentity, resolveCredentials } from './credentials.js'
import { type AttachingScheme, type AuthOutcome, type AuthScheme, MAX_CREDENTIAL_LENGTH, credentialsFor, outcome, quotedRealm } from './scheme.js'

export interface BasicOptions {
  /**
   * Realm named in the `WWW-Authenticate` challenge.
   * @default "webhook"
   */
  realm?: string
}

const BASIC_KEYS = optionKeys<BasicOptions>()('realm')

// RFC 4648 section 4 alphabet; padding may be omitted, as some clients do.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/
// RFC 7617 section 2: neither part may contain control characters.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/

/**
 * HTTP Basic (RFC 7617): the user name is the tenant ID, the password its
 * inbound API token. The password may contain ":"; both are UTF-8. Given one
 * identity instead of a store, the scheme can also attach it to outbound requests.
 *
 * @example
 * webhook({ auth: basic(tenants({ tenant123: 'api_token_abc123' })) })
 * forward({ to, auth: basic({ tenant: 'tenant123', token: 'api_token_abc123' }) })
 */
export function basic(identity: Identity & { tenant: string }, options?: BasicOptions): AttachingScheme
export function basic(credentials: Credentials, options?: BasicOptions): AuthScheme
export function basic(source: Credentials | (Identity & { tenant: string }), options: BasicOptions = {}): AuthScheme {
  checkOptions('basic()', options, BASIC_KEYS)
  const identity = isIdentity(source) ? source : undefined
  const check = resolveCredentials(identity ? identityCredentials(identity, 'basic') : (source as Credentials), 'basic', 'tokensOf')
  const challenge = `Basic ${quotedRealm('basic', options.realm)}, charset="UTF-8"`
  const invalid = (detail: string) => (): AuthOutcome => ({ ok: false, code: 'auth.invalid', detail })
  const wrong = invalid('The tenant ID or API token is not valid.')

  return {
    name: 'basic',
    challenge,
    field: 'authorization',
    stable: check.stable,
    ...(identity && basicAuth(identity.tenant, identity.token)),
    authenticate(headers) {
      const encoded = credentialsFor(headers.authorization, 'basic')
      if (encoded === undefined) return undefined
      if (encoded.length > MAX_CREDENTIAL_LENGTH) return invalid('The Basic credentials are too long.')()
      if (encoded === '' || !BASE64.test(encoded)) return invalid('The Basic credentials are not valid base64.')()
      const bytes = Buffer.from(encoded, 'base64')
      if (!isUtf8(bytes)) return invalid('The Basic credentials are not valid UTF-8.')()
      const decoded = bytes.toString('utf8')
      // RFC 7617: split on the first colon; the password may contain more.
      const colon = decoded.indexOf(':')
      if (colon <= 0 || colon === decoded.length - 1 || CONTROL.test(decoded)) {
        return invalid('The Basic credentials need a tenant ID and an API token, as "tenant:token".')()
      }
      return outcome(check.verify(decoded.slice(colon + 1), decoded.slice(0, colon)), wrong)
    },
  }
}
