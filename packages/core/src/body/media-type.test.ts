import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PROBLEMS } from '../problem.js'
import { checkMediaType } from './media-type.js'

// Property-based tests of the media type check: any Content-Type and
// Content-Encoding is judged without a throw, refused only with a code of the
// status table, and every JSON media type (RFC 8259, RFC 6839 +json) with any
// parameters and casing is accepted.

const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes).toString('latin1')))
const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/)
const randomCase = (text: string, flips: boolean[]) => [...text].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('')

describe('checkMediaType (property-based)', () => {
  it('never throws; refuses only with media.* codes of the status table', () => {
    fc.assert(
      fc.property(fc.option(anyValue, { nil: undefined }), fc.option(anyValue, { nil: undefined }), (type, encoding) => {
        const refusal = checkMediaType({ 'content-type': type, 'content-encoding': encoding })
        if (refusal === undefined) return
        expect(PROBLEMS).toHaveProperty([refusal.code])
        expect(['media.unsupported', 'media.encoding']).toContain(refusal.code)
      }),
    )
  })

  it('accepts application/json and any type/subtype+json, in any case, with parameters and a UTF-8 charset or none', () => {
    const parameter = fc.tuple(token.filter((name) => name.toLowerCase() !== 'charset'), token).map(([name, value]) => `; ${name}=${value}`)
    fc.assert(
      fc.property(
        fc.oneof(fc.constant('application/json'), fc.tuple(token, token).map(([type, sub]) => `${type}/${sub}+json`)),
        fc.array(fc.boolean(), { minLength: 1 }),
        fc.array(parameter, { maxLength: 3 }),
        fc.constantFrom('', '; charset=utf-8', '; charset=UTF-8', '; charset="utf-8"', '; charset=utf8'),
        (type, flips, parameters, charset) => {
          const header = randomCase(type, flips) + parameters.join('') + charset
          expect(checkMediaType({ 'content-type': header })).toBeUndefined()
        },
      ),
    )
  })

  it('refuses any charset other than UTF-8, and any Content-Encoding', () => {
    fc.assert(
      fc.property(token.filter((charset) => !['utf-8', 'utf8'].includes(charset.toLowerCase())), token, (charset, encoding) => {
        expect(checkMediaType({ 'content-type': `application/json; charset=${charset}` })?.code).toBe('media.unsupported')
        expect(checkMediaType({ 'content-type': 'application/json', 'content-encoding': encoding })?.code).toBe('media.encoding')
      }),
    )
  })
})
