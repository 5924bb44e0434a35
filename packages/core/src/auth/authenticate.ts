import type { IncomingHttpHeaders } from 'node:http'
import { type Problem, problem } from '../problem.js'
import type { ConnectionMemo } from './connection-memo.js'
import type { AuthFailure, AuthOutcome, AuthScheme, BodyCheck } from './scheme.js'

/** Who sent a request, once every scheme it uses has passed. */
export interface Authenticated {
  tenant: string
  /** The scheme that verified it: `basic`, `bearer`, `header`, `standard-webhooks`, ... */
  scheme: string
  /** A signature scheme's delivery id, and how long its replays are refused (ms). */
  deliveryId?: string
  replayWindow?: number
}

export type AuthResult = { ok: true; who: Authenticated } | { ok: false; problem: Problem }

/** After the headers: settled, or waiting for the body's bytes (signature schemes). */
export type HeaderAuthResult = AuthResult | { ok: 'body'; finish(body: Uint8Array): Promise<AuthResult> }

/** How many times `name` (lower case) appears in Node's `rawHeaders` list. */
function countHeader(rawHeaders: readonly string[], name: string): number {
  let count = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i]!
    if (field.length === name.length && field.toLowerCase() === name) count++
  }
  return count
}

function refuse(schemes: readonly AuthScheme[], failed: AuthScheme, out: AuthFailure): AuthResult {
  const challenges = schemes.map((scheme) => (scheme === failed && out.challenge !== undefined ? out.challenge : scheme.challenge))
  return { ok: false, problem: problem(out.code, out.detail, { headers: { 'www-authenticate': challenges } }) }
}

/** Adds one scheme's verdict; every scheme the request uses must name the same tenant. */
function combine(
  schemes: readonly AuthScheme[],
  scheme: AuthScheme,
  out: AuthOutcome,
  verified: Authenticated | undefined,
  extra?: Partial<Authenticated>,
): AuthResult {
  if (!out.ok) return refuse(schemes, scheme, out)
  if (verified !== undefined && verified.tenant !== out.tenant) {
    return refuse(schemes, scheme, { ok: false, code: 'auth.invalid', detail: 'The credentials name different tenants.' })
  }
  // Built field by field: object spreads were among the costliest lines of the benchmark's hot path.
  const who: Authenticated = { tenant: out.tenant, scheme: verified?.scheme ?? scheme.name }
  const deliveryId = extra?.deliveryId ?? verified?.deliveryId
  const replayWindow = extra?.replayWindow ?? verified?.replayWindow
  if (deliveryId !== undefined) who.deliveryId = deliveryId
  if (replayWindow !== undefined) who.replayWindow = replayWindow
  return { ok: true, who }
}

/** What the header phase has found so far. */
interface HeaderPhase {
  verified: Authenticated | undefined
  pending: Array<[AuthScheme, BodyCheck]> | undefined
}

/** Folds one scheme's header verdict in; a refusal ends the phase. */
function step(schemes: readonly AuthScheme[], scheme: AuthScheme, out: AuthOutcome | BodyCheck, phase: HeaderPhase): AuthResult | undefined {
  if (out.ok === 'body') {
    ;(phase.pending ??= []).push([scheme, out])
    return undefined
  }
  const result = combine(schemes, scheme, out, phase.verified)
  if (!result.ok) return result
  phase.verified = result.who
  return undefined
}

function conclude(schemes: readonly AuthScheme[], phase: HeaderPhase): HeaderAuthResult {
  const { pending } = phase
  let { verified } = phase
  if (pending !== undefined) {
    return {
      ok: 'body',
      async finish(body) {
        for (const [scheme, check] of pending) {
          const result = combine(schemes, scheme, await check.verify(body), verified, {
            deliveryId: check.deliveryId,
            replayWindow: check.replayWindow,
          })
          if (!result.ok) return result
          verified = result.who
        }
        return { ok: true, who: verified! }
      },
    }
  }
  if (verified === undefined) {
    const challenges = schemes.map((scheme) => scheme.challenge)
    const detail = 'This webhook needs credentials; WWW-Authenticate lists the accepted schemes.'
    return { ok: false, problem: problem('auth.missing', detail, { headers: { 'www-authenticate': challenges } }) }
  }
  return { ok: true, who: verified }
}

/** The rest of the header phase once a scheme's lookup went async (a database). */
async function continueAsync(
  schemes: readonly AuthScheme[],
  headers: IncomingHttpHeaders,
  from: number,
  waiting: Promise<AuthOutcome | BodyCheck>,
  phase: HeaderPhase,
): Promise<HeaderAuthResult> {
  const refused = step(schemes, schemes[from]!, await waiting, phase)
  if (refused !== undefined) return refused
  for (let i = from + 1; i < schemes.length; i++) {
    const found = schemes[i]!.authenticate(headers)
    if (found === undefined) continue
    const out = step(schemes, schemes[i]!, found instanceof Promise ? await found : found, phase)
    if (out !== undefined) return out
  }
  return conclude(schemes, phase)
}

/** Where accepted credentials are remembered: a verifier's memo and the request's connection. */
export interface Remembering {
  memo: ConnectionMemo
  connection: object
}

/**
 * Runs every accepted scheme the request uses. A scheme the request uses and
 * fails decides the answer: a wrong Basic password is not rescued by a valid
 * API key next to it. Signature schemes refuse missing, malformed and stale
 * headers here, before the body is read, and verify the bytes in `finish`.
 * Node keeps only the first `Authorization` header, so duplicates are counted
 * in `rawHeaders`. With `remembering`, credentials already accepted on the
 * connection are not checked again, and new acceptances are remembered.
 * Synchronous unless a credentials lookup returns a promise.
 */
export function authenticate(
  schemes: readonly AuthScheme[],
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[] | undefined,
  remembering?: Remembering,
): HeaderAuthResult | Promise<HeaderAuthResult> {
  if (rawHeaders !== undefined && headers.authorization !== undefined && countHeader(rawHeaders, 'authorization') > 1) {
    return { ok: false, problem: problem('auth.duplicate', 'Send exactly one Authorization header.') }
  }
  const known = remembering?.memo.recall(remembering.connection, headers)
  if (known !== undefined) return known
  const phase: HeaderPhase = { verified: undefined, pending: undefined }
  for (let i = 0; i < schemes.length; i++) {
    const found = schemes[i]!.authenticate(headers)
    if (found === undefined) continue
    if (found instanceof Promise) return continueAsync(schemes, headers, i, found, phase)
    const refused = step(schemes, schemes[i]!, found, phase)
    if (refused !== undefined) return refused
  }
  const result = conclude(schemes, phase)
  if (result.ok === true) remembering?.memo.remember(remembering.connection, headers, result)
  return result
}
