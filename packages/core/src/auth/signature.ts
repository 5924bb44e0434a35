import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { type Credentials, resolveCredentials } from './credentials.js'
import type { AuthFailure, AuthOutcome, AuthScheme, BodyCheck } from './scheme.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'

/** Signing secrets: one tenant's list (several while rotating), or a store queried per tenant. */
export type SignatureSecrets = { secret: string | readonly string[]; tenant?: string } | Credentials

export interface SignatureOptions {
  /**
   * Seconds a signature's timestamp may lie before or after now. `0` means
   * the same second; only `false` turns the check off.
   * @default 300
   */
  tolerance?: number | false
  /**
   * With a credentials store: which tenant a request is for, e.g. from its
   * path or a header. Not needed with `{ secret }`.
   */
  tenant?: (headers: IncomingHttpHeaders) => string | undefined
  /**
   * Realm named in the `WWW-Authenticate` challenge.
   * @default "webhook"
   */
  realm?: string
  /** Epoch-ms clock, injectable for tests. @default Date.now */
  now?: () => number
}

/** What a scheme reads from its headers before the body arrives. */
export interface SignedHeaders {
  /** Decoded candidate signatures; entries that do not decode are already left out. */
  signatures: Uint8Array[]
  /** What is signed before the body, e.g. `${id}.${timestamp}.` */
  prefix: string
  /** The timestamp as sent; checked here: digits only, within the tolerance. */
  timestamp?: string
  deliveryId?: string
}

export interface SignatureSpec {
  /** `standard-webhooks`, `github`, `stripe`, `hmac`. */
  name: string
  /** The function the user called, for messages. */
  where: string
  /** Auth scheme for WWW-Authenticate, e.g. `StandardWebhooks`. */
  challengeScheme: string
  algorithm: 'sha256' | 'sha512'
  /** Whether the request carries any of this scheme's headers. */
  used(headers: IncomingHttpHeaders): boolean
  read(headers: IncomingHttpHeaders): SignedHeaders | AuthFailure
  /** A configured secret as HMAC key bytes; throws a TypeError for one that cannot be. */
  keyOf(secret: string): Buffer
  /** Every option key the scheme reads. @default the keys of `SignatureOptions` */
  optionKeys?: readonly string[]
}

const DEFAULT_TOLERANCE = 300
const TIMESTAMP = /^\d{1,15}$/
const REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** A failure with the scheme's own code; never carries the secret or a computed signature. */
export function failure(code: AuthFailure['code'], detail: string): AuthFailure {
  return { ok: false, code, detail }
}

/** `value` of the first header present among `names`, when it is a single string. */
export function firstHeader(headers: IncomingHttpHeaders, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = headers[name]
    if (typeof value === 'string') return value
  }
  return undefined
}

/** True when `computed` equals one candidate; compares with every candidate, and never throws on a length mismatch. */
function matchesAny(computed: Buffer, candidates: readonly Uint8Array[]): boolean {
  let found = false
  for (const candidate of candidates) {
    if (candidate.byteLength === computed.byteLength && timingSafeEqual(candidate, computed)) found = true
  }
  return found
}

function secretsOf(secrets: SignatureSecrets, spec: SignatureSpec): { tenant: string; keys: Buffer[] } | undefined {
  if (!('secret' in secrets)) return undefined
  const given: unknown = secrets.secret
  const list: unknown[] = typeof given === 'string' ? [given] : Array.isArray(given) ? (given as unknown[]) : []
  if (list.length === 0 || !list.every((s): s is string => typeof s === 'string' && s !== '')) {
    throw new TypeError(`${spec.where}: "secret" must be a non-empty string or a list of them (several while rotating)`)
  }
  const tenant = secrets.tenant ?? 'default'
  if (typeof tenant !== 'string' || tenant === '') throw new TypeError(`${spec.where}: "tenant" must be a non-empty string`)
  return { tenant, keys: list.map((secret) => spec.keyOf(secret)) }
}

function toleranceOf(value: number | false | undefined, where: string): number {
  if (value === false) return Infinity
  const tolerance = value ?? DEFAULT_TOLERANCE
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError(`${where}: "tolerance" must be a number of seconds (0 or more), or false to turn the check off`)
  }
  return tolerance
}

const SIGNATURE_KEYS = optionKeys<SignatureOptions>()('tolerance', 'tenant', 'realm', 'now')

/**
 * Builds an auth scheme from a signature spec: reads the headers first
 * (missing, malformed and stale signatures are refused before the body is
 * read), then verifies an HMAC over the exact body bytes with every secret.
 */
export function signatureScheme(spec: SignatureSpec, secrets: SignatureSecrets, options: SignatureOptions = {}): AuthScheme {
  const { where } = spec
  if (secrets === null || typeof secrets !== 'object') {
    throw new TypeError(`${where}: pass { secret: "..." } or a credentials store, e.g. ${where.replace('()', '')}({ secret: process.env.WEBHOOK_SECRET })`)
  }
  if (!('tokensOf' in secrets) && !('tenantOf' in secrets)) checkOptions(where, secrets, ['secret', 'tenant'], 'key')
  checkOptions(where, options, spec.optionKeys ?? SIGNATURE_KEYS)
  const fixed = secretsOf(secrets, spec)
  const tenantOf = options.tenant
  if (fixed === undefined && typeof tenantOf !== 'function') {
    throw new TypeError(`${where}: with a credentials store, say which tenant a request is for: { tenant: (headers) => ... }`)
  }
  // Validates that a store can list a tenant's secrets.
  if (fixed === undefined) resolveCredentials(secrets as Credentials, where.replace('()', ''), 'tokensOf')
  const tolerance = toleranceOf(options.tolerance, where)
  const now = options.now ?? Date.now
  const realm = options.realm ?? 'webhook'
  if (typeof realm !== 'string' || !REALM.test(realm)) throw new TypeError(`${where}: "realm" must be printable ASCII without quotes`)
  const invalid = failure('signature.invalid', 'The signature does not match the body with any current secret.')
  // A window as long as the tolerance; without timestamps, the default one.
  const replayWindow = (Number.isFinite(tolerance) ? tolerance : DEFAULT_TOLERANCE) * 1000

  async function keysFor(headers: IncomingHttpHeaders): Promise<{ tenant: string; keys: Buffer[] } | undefined> {
    if (fixed !== undefined) return fixed
    const tenant = tenantOf!(headers)
    if (tenant === undefined || tenant === '') return undefined
    const tokens = await (secrets as Credentials).tokensOf!(tenant)
    return tokens === undefined ? undefined : { tenant, keys: tokens.map((token) => spec.keyOf(token)) }
  }

  function check(read: SignedHeaders, headers: IncomingHttpHeaders, body: Uint8Array): AuthOutcome | Promise<AuthOutcome> {
    const verify = (found: { tenant: string; keys: Buffer[] } | undefined): AuthOutcome => {
      let matched = false
      // Every secret is tried, so the time taken does not say which one matched.
      for (const key of found?.keys ?? []) {
        const mac = createHmac(spec.algorithm, key).update(read.prefix).update(body).digest()
        if (matchesAny(mac, read.signatures)) matched = true
      }
      return matched && found !== undefined ? { ok: true, tenant: found.tenant } : invalid
    }
    return fixed !== undefined ? verify(fixed) : keysFor(headers).then(verify)
  }

  return {
    name: spec.name,
    challenge: `${spec.challengeScheme} realm="${realm}"`,
    authenticate(headers): AuthFailure | BodyCheck | undefined {
      if (!spec.used(headers)) return undefined
      const read = spec.read(headers)
      if ('ok' in read) return read
      if (read.timestamp !== undefined) {
        if (!TIMESTAMP.test(read.timestamp)) return failure('signature.malformed', 'The signature timestamp must be Unix seconds, digits only.')
        // Whole seconds, both directions: a clock ahead of ours is as suspect as one behind.
        if (Math.abs(Math.floor(now() / 1000) - Number(read.timestamp)) > tolerance) {
          return failure('signature.stale', `The signature timestamp is more than ${tolerance} s away from now; check the sender's clock.`)
        }
      }
      if (read.signatures.length === 0) return failure('signature.malformed', 'No signature of a supported version could be read.')
      return { ok: 'body', deliveryId: read.deliveryId, replayWindow, verify: (body) => check(read, headers, body) }
    },
  }
}
