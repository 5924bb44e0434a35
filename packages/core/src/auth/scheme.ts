import type { IncomingHttpHeaders } from 'node:http'

/** A refusal: which problem, and what to tell the caller. */
export interface AuthFailure {
  ok: false
  code: 'auth.invalid' | 'auth.malformed' | 'signature.missing' | 'signature.malformed' | 'signature.stale' | 'signature.invalid'
  /** Shown to the caller; never contains the credential. */
  detail: string
  /** Replaces the scheme's challenge in `WWW-Authenticate` (RFC 6750 `error=`). */
  challenge?: string
}

/** A verdict that needs the body's exact bytes: signature schemes. */
export interface BodyCheck {
  ok: 'body'
  /** The scheme's delivery id (`webhook-id`, `X-GitHub-Delivery`), for replay protection. */
  deliveryId: string | undefined
  /** How long a replay of this delivery is refused, in ms (the timestamp tolerance). */
  replayWindow: number
  verify(body: Uint8Array): AuthOutcome | Promise<AuthOutcome>
}

/** What a scheme concluded about a request that uses it. */
export type AuthOutcome = { ok: true; tenant: string } | AuthFailure

/**
 * One way of proving who is calling. Built by `basic()`, `bearer()` and
 * `header()`; accepted by `createWebhookVerifier({ auth })`.
 */
export interface AuthScheme {
  /** `basic`, `bearer` or `header`; reported on the verified webhook. */
  readonly name: string
  /** The `WWW-Authenticate` challenge sent when credentials are missing. */
  readonly challenge: string
  /**
   * The request header carrying a reusable credential (lower case), so a
   * forwarder strips it. Signature schemes have none: a relay passes
   * signatures on untouched.
   */
  readonly field?: string
  /**
   * True when the verdict depends only on the `field` header and never
   * changes (credentials from `tenants()` or an identity), so a verifier may
   * remember it for the next requests on the same connection.
   */
  readonly stable?: boolean
  /**
   * Present when the scheme was built from one identity (`basic({ tenant, token })`):
   * adds that credential to outbound headers, for the forwarder and the client.
   */
  attach?(headers: Record<string, string>): void
  /**
   * `undefined` when the request does not use this scheme at all; otherwise
   * the outcome. Never throws for bad input.
   */
  authenticate(headers: IncomingHttpHeaders): AuthOutcome | BodyCheck | Promise<AuthOutcome> | undefined
}

/** A scheme built from one identity: it verifies that credential and can attach it. */
export type AttachingScheme = AuthScheme & { attach(headers: Record<string, string>): void }

/**
 * Longest credential header we look at. Anything longer is refused before it
 * is decoded or hashed, so a huge header costs us nothing.
 */
export const MAX_CREDENTIAL_LENGTH = 4096

export const DEFAULT_REALM = 'webhook'

const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** `realm` as an RFC 9110 quoted-string; throws at creation when it cannot be one. */
export function quotedRealm(scheme: string, realm: string | undefined): string {
  const value = realm ?? DEFAULT_REALM
  if (typeof value !== 'string' || !QUOTABLE.test(value)) {
    throw new TypeError(`${scheme}(): "realm" must be printable ASCII without quotes or backslashes, e.g. realm: "webhook"`)
  }
  return `realm="${value}"`
}

/** Resolves a lookup result (sync or async) into an outcome. */
export function outcome(
  tenant: string | undefined | Promise<string | undefined>,
  fail: () => AuthOutcome,
): AuthOutcome | Promise<AuthOutcome> {
  if (tenant instanceof Promise) return tenant.then((t) => (t === undefined ? fail() : { ok: true, tenant: t }))
  return tenant === undefined ? fail() : { ok: true, tenant }
}

/** Splits `Scheme credentials` (RFC 9110 section 11.4). `undefined` when the scheme differs. */
export function credentialsFor(value: string | undefined, scheme: string): string | undefined {
  if (value === undefined) return undefined
  const n = scheme.length
  if (value.length < n || value.slice(0, n).toLowerCase() !== scheme) return undefined
  if (value.length === n) return ''
  // 1*SP separates the scheme from its credentials; "Basicfoo" is another scheme.
  if (value.charCodeAt(n) !== 0x20) return undefined
  return value.slice(n + 1).trim()
}
