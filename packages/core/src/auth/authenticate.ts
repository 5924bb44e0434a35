import type { IncomingHttpHeaders } from 'node:http'
import { type Problem, problem } from '../problem.js'
import type { AuthOutcome, AuthScheme } from './scheme.js'

export type AuthResult = { ok: true; tenant: string; scheme: string } | { ok: false; problem: Problem }

/** How many times `name` (lower case) appears in Node's `rawHeaders` list. */
function countHeader(rawHeaders: readonly string[], name: string): number {
  let count = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i]!
    if (field.length === name.length && field.toLowerCase() === name) count++
  }
  return count
}

function challenges(schemes: readonly AuthScheme[], failed?: AuthScheme, override?: string): string[] {
  return schemes.map((scheme) => (scheme === failed && override !== undefined ? override : scheme.challenge))
}

function refuse(schemes: readonly AuthScheme[], scheme: AuthScheme, out: AuthOutcome & { ok: false }): AuthResult {
  const headers = { 'www-authenticate': challenges(schemes, scheme, out.challenge) }
  return { ok: false, problem: problem(out.code, out.detail, { headers }) }
}

/**
 * Runs every accepted scheme the request uses. A scheme the request uses and
 * fails decides the answer: a wrong Basic password is not rescued by a valid
 * API key next to it. Node keeps only the first `Authorization` header, so
 * duplicates are counted in `rawHeaders`.
 */
export async function authenticate(
  schemes: readonly AuthScheme[],
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[] | undefined,
): Promise<AuthResult> {
  if (rawHeaders !== undefined && headers.authorization !== undefined && countHeader(rawHeaders, 'authorization') > 1) {
    return { ok: false, problem: problem('auth.duplicate', 'Send exactly one Authorization header.') }
  }
  let verified: { tenant: string; scheme: string } | undefined
  for (const scheme of schemes) {
    const pending = scheme.authenticate(headers)
    if (pending === undefined) continue
    const out = await pending
    if (!out.ok) return refuse(schemes, scheme, out)
    if (verified !== undefined && verified.tenant !== out.tenant) {
      return refuse(schemes, scheme, { ok: false, code: 'auth.invalid', detail: 'The credentials name different tenants.' })
    }
    verified ??= { tenant: out.tenant, scheme: scheme.name }
  }
  if (verified === undefined) {
    const headers = { 'www-authenticate': challenges(schemes) }
    return { ok: false, problem: problem('auth.missing', 'This webhook needs credentials; WWW-Authenticate lists the accepted schemes.', { headers }) }
  }
  return { ok: true, ...verified }
}
