import type { IncomingHttpHeaders } from 'node:http'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PROBLEMS } from '../problem.js'
import { authenticate } from './authenticate.js'
import { basic } from './basic.js'
import { bearer } from './bearer.js'
import { tenants } from './credentials.js'
import { header } from './header.js'
import type { AuthScheme } from './scheme.js'

// Property-based tests of the parsers of credential headers: whatever a client
// sends, they never throw, every refusal carries a code of the status table,
// and every well-formed credential round-trips to its tenant.

/** Any header value: ASCII, any Unicode (lone surrogates included), or bytes read as latin1 as Node does. */
const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')))
/** A value that starts like the scheme, so the parser gets past its first check. */
const schemeLike = (scheme: string) => fc.tuple(fc.constantFrom(scheme, scheme.toUpperCase(), scheme.toLowerCase()), fc.constantFrom('', ' ', '  ', '\t'), anyValue).map((parts) => parts.join(''))
/** What Node's header map may hold: a string, or (for repeated fields) a list. */
const headerValue = (scheme: string) => fc.oneof(anyValue, schemeLike(scheme), fc.array(anyValue, { maxLength: 3 }))

function settle(schemes: AuthScheme[], headers: IncomingHttpHeaders) {
  const result = authenticate(schemes, headers, undefined)
  if (result instanceof Promise) throw new Error('static credentials answer synchronously')
  return result
}

function expectTableRefusal(result: ReturnType<typeof settle>): void {
  if (result.ok !== false) return
  expect(PROBLEMS).toHaveProperty([result.problem.code])
  expect(result.problem.status).toBe(PROBLEMS[result.problem.code].status)
}

const credentials = tenants({ tenant123: 'api_token_abc123', 'tenänt:ü': 'pässwörd:with:colons' })

describe('credential header parsers (property-based)', () => {
  it('basic() and bearer() never throw on any Authorization value, and refuse only with codes of the status table', () => {
    const schemes = [basic(credentials), bearer(credentials)]
    fc.assert(
      fc.property(fc.oneof(headerValue('Basic'), headerValue('Bearer')), (authorization) => {
        const headers = { authorization } as IncomingHttpHeaders
        expectTableRefusal(settle(schemes, headers))
      }),
    )
  })

  it('basic() round-trips any tenant without ":" and any password, both UTF-8 without control characters', () => {
    // RFC 7617 section 2: no control characters in either part.
    // eslint-disable-next-line no-control-regex
    const text = (min: number) => fc.string({ unit: 'grapheme', minLength: min, maxLength: 40 }).filter((s) => !/[\x00-\x1f\x7f]/.test(s))
    fc.assert(
      fc.property(
        text(1).filter((s) => !s.includes(':')),
        text(1),
        (tenant, password) => {
          const authorization = 'Basic ' + Buffer.from(`${tenant}:${password}`, 'utf8').toString('base64')
          const wrong = 'Basic ' + Buffer.from(`${tenant}:${password}x`, 'utf8').toString('base64')
          const scheme = basic(tenants({ [tenant]: password }))
          expect(settle([scheme], { authorization })).toEqual({ ok: true, who: { tenant, scheme: 'basic' } })
          expect(settle([scheme], { authorization: wrong })).toMatchObject({ ok: false, problem: { code: 'auth.invalid' } })
        },
      ),
    )
  })

  it('bearer() round-trips any RFC 6750 b64token, and refuses it with one character changed', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,80}=*$/)
    fc.assert(
      fc.property(token, fc.string({ minLength: 1, maxLength: 20 }), (token, tenant) => {
        const scheme = bearer(tenants({ [tenant]: token }))
        expect(settle([scheme], { authorization: `Bearer ${token}` })).toEqual({ ok: true, who: { tenant, scheme: 'bearer' } })
        const other = (token.startsWith('A') ? 'B' : 'A') + token.slice(1)
        expect(settle([scheme], { authorization: `bearer ${other}` })).toMatchObject({ ok: false, problem: { code: 'auth.invalid' } })
      }),
    )
  })

  it('header() never throws on any value, and round-trips prefix + token whatever the prefix case and the padding', () => {
    const printable = fc.stringMatching(/^[\x21-\x7e]{1,60}$/)
    fc.assert(
      fc.property(fc.constantFrom('', 'Token ', 'ApiKey '), printable, fc.oneof(anyValue, fc.array(anyValue, { maxLength: 2 })), (prefix, token, junk) => {
        const scheme = header('X-Api-Key', tenants({ crm: token }), { prefix })
        expectTableRefusal(settle([scheme], { 'x-api-key': junk }))
        const sent = `${prefix.toUpperCase()} ${token} `.replace(/^ /, '')
        expect(settle([scheme], { 'x-api-key': sent })).toEqual({ ok: true, who: { tenant: 'crm', scheme: 'header' } })
      }),
    )
  })
})
