import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDeliveryTracker } from './delivery-tracker.js'

// Property-based tests of the two places a delivery id is read from: the
// webhook-id / Idempotency-Key header and a JSON Pointer (RFC 6901) into the
// body. A usable id (1 to 255 printable ASCII characters) round-trips; any
// other value, or a pointer that leads nowhere, falls back to a new UUID
// without a throw.

const who = { tenant: 't', scheme: 'basic' }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const usableId = fc.stringMatching(/^[\x21-\x7e]{1,255}$/)
const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ minLength: 250, maxLength: 300 }))
const idOf = (tracked: unknown) => (tracked as { id: string }).id

/** RFC 6901 section 3: "~" is written "~0" and "/" is written "~1". */
const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

describe('delivery ids (property-based)', () => {
  const tracker = createDeliveryTracker(false, undefined, 'test')

  it('takes any usable webhook-id or Idempotency-Key as the id', () => {
    fc.assert(
      fc.property(usableId, fc.constantFrom('webhook-id', 'idempotency-key'), (id, name) => {
        expect(idOf(tracker.track(who, { [name]: id }, {}, undefined))).toBe(id)
      }),
    )
  })

  it('replaces any other header value (empty, too long, spaces, non-ASCII, a list) with a new UUID, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.array(anyValue, { maxLength: 3 })).filter((value) => typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)), (value) => {
        expect(idOf(tracker.track(who, { 'webhook-id': value }, {}, undefined))).toMatch(UUID)
      }),
    )
  })
})

describe('JSON Pointer ids (property-based)', () => {
  it('finds an id at any path of any keys, "~" and "/" included, escaped as RFC 6901 says', () => {
    // A dedupe log is consulted, so track() resolves later.
    return fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), fc.oneof(usableId, fc.nat()), async (keys, id) => {
        const body = keys.reduceRight<unknown>((inner, key) => Object.fromEntries([[key, inner]]), id)
        const tracker = createDeliveryTracker(false, { id: '/' + keys.map(escape).join('/') }, 'test')
        expect(idOf(await tracker.track(who, {}, body, undefined))).toBe(String(id))
      }),
    )
  })

  it('falls back to a new UUID for a pointer that leads nowhere or to a value that is not a usable id, never throwing', () => {
    return fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), fc.jsonValue(), async (keys, body) => {
        const tracker = createDeliveryTracker(false, { id: '/' + keys.map(escape).join('/') }, 'test')
        const id = idOf(await tracker.track(who, {}, body, undefined))
        expect(typeof id).toBe('string')
        expect(UUID.test(id) || /^[\x21-\x7e]{1,255}$/.test(id)).toBe(true)
      }),
    )
  })
})
