import { bearerAuth, checkOptions, optionKeys } from '@webhook-trigger/client'
import { type Credentials, type Identity, identityCredentials, isIdentity, resolveCredentials } from './credentials.js'
import { type AttachingScheme, type AuthOutcome, type AuthScheme, MAX_CREDENTIAL_LENGTH, credentialsFor, outcome, quotedRealm } from './scheme.js'

export interface BearerOptions {
  /**
   * Realm named in the `WWW-Authenticate` challenge.
   * @default "webhook"
   */
  realm?: string
}

// RFC 6750 section 2.1: b64token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/


const BEARER_KEYS = optionKeys<BearerOptions>()('realm')
/**
 * Bearer tokens (RFC 6750): `Authorization: Bearer <token>`, where the token
 * alone identifies the tenant. Given one identity, it can also attach it.
 *
 * @example
 * webhook({ auth: bearer(tenants({ tenant123: 'api_token_abc123' })) })
 * forward({ to, auth: bearer({ token: 'api_token_abc123' }) })
 */
export function bearer(identity: Identity, options?: BearerOptions): AttachingScheme
export function bearer(credentials: Credentials, options?: BearerOptions): AuthScheme
export function bearer(source: Credentials | Identity, options: BearerOptions = {}): AuthScheme {
  checkOptions('bearer()', options, BEARER_KEYS)
  const identity = isIdentity(source) ? source : undefined
  const check = resolveCredentials(identity ? identityCredentials(identity, 'bearer') : (source as Credentials), 'bearer', 'tenantOf')
  const challenge = `Bearer ${quotedRealm('bearer', options.realm)}`
  // RFC 6750 section 3.1: a wrong token is invalid_token (401), a malformed request invalid_request (400).
  const invalidToken = (): AuthOutcome => ({
    ok: false,
    code: 'auth.invalid',
    detail: 'The bearer token is not valid.',
    challenge: `${challenge}, error="invalid_token"`,
  })
  const invalidRequest: AuthOutcome = {
    ok: false,
    code: 'auth.malformed',
    detail: 'The Authorization header must be "Bearer <token>", one token without spaces.',
    challenge: `${challenge}, error="invalid_request"`,
  }

  return {
    name: 'bearer',
    challenge,
    field: 'authorization',
    stable: check.stable,
    ...(identity && bearerAuth(identity.token)),
    authenticate(headers) {
      const token = credentialsFor(headers.authorization, 'bearer')
      if (token === undefined) return undefined
      if (token.length > MAX_CREDENTIAL_LENGTH) return invalidToken()
      if (!B64TOKEN.test(token)) return invalidRequest
      return outcome(check.verify(token), invalidToken)
    },
  }
}
