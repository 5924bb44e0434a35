import { isUtf8 } from 'node:buffer'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PROBLEMS } from '../problem.js'
import { parseJson } from './parse-json.js'

// Property-based tests of the JSON reader: any bytes are read without a
// throw and refused with a code of the status table; any JSON value within
// the depth limit and without a forbidden key round-trips; nesting past the
// limit, a forbidden key anywhere, and bytes that are not UTF-8 are refused.

const DEPTH = 8
const FORBIDDEN = new Set(['__proto__'])

/** Any JSON value, its keys free of __proto__ (fast-check may make one) and within DEPTH. */
const jsonValue = fc.jsonValue({ maxDepth: DEPTH - 1 }).filter((value) => !JSON.stringify(value).includes('"__proto__"') && !JSON.stringify(value).includes('"constructor"'))

describe('parseJson (property-based)', () => {
  it('never throws on any bytes; a refusal carries a payload.* code of the status table', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ unit: 'binary' }).map((s) => Buffer.from(s))), fc.integer({ min: 1, max: 100 }), (bytes, depth) => {
        const result = parseJson(bytes, depth)
        if (result.ok) return
        expect(PROBLEMS).toHaveProperty([result.problem.code])
        expect(result.problem.code).toMatch(/^payload\./)
      }),
    )
  })

  it('round-trips any JSON value within the depth limit, compact or indented, with or without a byte order mark', () => {
    fc.assert(
      fc.property(jsonValue, fc.constantFrom(0, 2), fc.boolean(), (value, indent, bom) => {
        const text = (bom ? '\ufeff' : '') + JSON.stringify(value, null, indent)
        // What the value is once written as JSON: -0 is written "0" (a run once shrank to [[-0], 0, false]).
        expect(parseJson(Buffer.from(text), DEPTH)).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) as unknown })
      }),
    )
  })

  it('refuses nesting one level past the limit, whatever mix of arrays and objects, and strings holding brackets do not count', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: DEPTH + 1, maxLength: DEPTH + 1 }), fc.string(), (arrays, text) => {
        const open = arrays.map((array) => (array ? '[' : '{"k":')).join('')
        const close = arrays.map((array) => (array ? ']' : '}')).reverse().join('')
        const deep = `${open}${JSON.stringify(text + '[[[[{{{{')}${close}`
        expect(parseJson(Buffer.from(deep), DEPTH + 1).ok).toBe(true)
        expect(parseJson(Buffer.from(deep), DEPTH)).toMatchObject({ ok: false, problem: { code: 'payload.too_deep' } })
      }),
    )
  })

  it('refuses a __proto__ key, or constructor.prototype, at any place, however its key is escaped', () => {
    const spellings = fc.constantFrom('__proto__', '\\u005f_proto__', '__pr\\u006fto__')
    fc.assert(
      fc.property(jsonValue, fc.array(fc.string().filter((key) => !FORBIDDEN.has(key) && key !== 'constructor'), { maxLength: 4 }), spellings, fc.boolean(), (value, path, key, viaConstructor) => {
        const inner = viaConstructor ? `{"constructor":{"prototype":${JSON.stringify(value)}}}` : `{"${key}":${JSON.stringify(value)}}`
        const text = path.reduceRight((json, segment) => `{${JSON.stringify(segment)}:${json}}`, inner)
        expect(parseJson(Buffer.from(text), 64)).toMatchObject({ ok: false, problem: { code: 'payload.forbidden_key' } })
      }),
    )
  })

  it('refuses any bytes that are not UTF-8 as payload.invalid_utf8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }).filter((bytes) => !isUtf8(bytes)), (bytes) => {
        expect(parseJson(bytes, 64)).toMatchObject({ ok: false, problem: { code: 'payload.invalid_utf8' } })
      }),
    )
  })
})

// Bodies with more than maxDepth brackets but fewer than one per 16
// characters (real payloads: arrays of objects with long strings) are parsed
// first and their depth and keys checked on the value: the same verdicts.
describe('parseJson on bodies with sparse brackets', () => {
  const padding = 'p'.repeat(40)
  /**
   * `levels` nested containers, each but the innermost with an empty one and a
   * long string beside its child: more brackets than levels, spread out as real
   * payloads spread theirs.
   */
  function sparse(levels: number, inner = '1'): string {
    let text = inner
    for (let level = 0; level < levels; level++) {
      const sibling = level === 0 ? '' : level % 2 === 0 ? '[],' : '"e":{},'
      text = level % 2 === 0 ? `["${padding}",${sibling}${text}]` : `{"pad":"${padding}",${sibling}"k":${text}}`
    }
    return text
  }

  it('is what these tests build: more brackets than levels, fewer than one per 16 characters', () => {
    const body = sparse(71)
    const brackets = (body.match(/[[{]/g) ?? []).length
    expect(brackets).toBeGreaterThan(71)
    expect(brackets * 16).toBeLessThan(body.length)
  })

  it('accepts nesting at the limit and refuses one level past it, before or after a malformed tail', () => {
    expect(parseJson(Buffer.from(sparse(70)), 70)).toMatchObject({ ok: true })
    expect(parseJson(Buffer.from(sparse(71)), 70)).toMatchObject({ ok: false, problem: { code: 'payload.too_deep' } })
    expect(parseJson(Buffer.from(sparse(71).slice(0, -3)), 70)).toMatchObject({ ok: false, problem: { code: 'payload.too_deep' } })
    expect(parseJson(Buffer.from(sparse(70).slice(0, -3)), 70)).toMatchObject({ ok: false, problem: { code: 'payload.malformed' } })
  })

  it.each(['"__proto__"', '"\\u005f_proto__"', '"constructor":{"prototype":{}},"x"'])('refuses the forbidden key %s deep inside, naming where it is', (key) => {
    const body = sparse(20, `{${key}:{}}`)
    const result = parseJson(Buffer.from(body), 30)
    expect(result).toMatchObject({ ok: false, problem: { code: 'payload.forbidden_key' } })
    expect(result.ok ? '' : result.problem.detail).toContain('/k/2/k/')
    expect(parseJson(Buffer.from(body), 8)).toMatchObject({ ok: false, problem: { code: 'payload.too_deep' } })
  })

  it('refuses a deep subtree under a key that is repeated: JSON.parse drops it, the forwarded bytes keep it', () => {
    const deep = `${'['.repeat(80)}${']'.repeat(80)}`
    const body = `{"event":"x","data":{},"pad":"${'p'.repeat(2000)}","d":${deep},"d":0}`
    expect((body.match(/[[{]/g) ?? []).length * 16).toBeLessThan(body.length)
    expect(parseJson(Buffer.from(body), 64)).toMatchObject({ ok: false, problem: { code: 'payload.too_deep' } })
    // Brackets inside strings also make the counts differ: the text scan then finds the depth within the limit.
    const inStrings = `{"event":"x","data":{"note":"${'[{'.repeat(40)}"},"pad":"${'p'.repeat(2000)}","d":${'['.repeat(10)}${']'.repeat(10)}}`
    expect(parseJson(Buffer.from(inStrings), 64)).toMatchObject({ ok: true })
  })

  it('still checks depth and keys when Object.prototype has an enumerable property (a polluted process)', () => {
    Object.defineProperty(Object.prototype, 'polluted', { value: {}, enumerable: true, configurable: true, writable: true })
    try {
      expect(parseJson(Buffer.from(sparse(70)), 70)).toMatchObject({ ok: true })
      expect(parseJson(Buffer.from(sparse(71)), 70)).toMatchObject({ ok: false, problem: { code: 'payload.too_deep' } })
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted
    }
  })
})
