import { createHmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PROBLEMS } from '../problem.js'
import { githubSignature } from './github-signature.js'
import { hmacSignature } from './hmac-signature.js'
import type { AuthScheme, BodyCheck } from './scheme.js'
import { standardWebhooks } from './standard-webhooks.js'
import { stripeSignature } from './stripe-signature.js'

// Property-based tests of every signature header format: any header values
// are read without a throw and refused with a code of the status table, and
// a signature made over any body verifies, while the same signature over a
// changed body does not.

const NOW = Date.UTC(2026, 10, 28, 10, 0, 0)
const seconds = NOW / 1000
const now = () => NOW
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const SECRET = 'a shared secret'

const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes).toString('latin1')))
const maybe = (arb: fc.Arbitrary<string>) => fc.option(fc.oneof(arb, anyValue), { nil: undefined })
const body = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes))

interface Format {
  name: string
  scheme: AuthScheme
  /** Plausible values for each header the format reads, mixed with anything at all. */
  headers: fc.Arbitrary<IncomingHttpHeaders>
  /** The headers a correct sender sends for `payload`. */
  sign(payload: Buffer, id: string): IncomingHttpHeaders
}

const standardKey = Buffer.from(STANDARD_SECRET.slice('whsec_'.length), 'base64')
const hmac = (key: string | Buffer, ...parts: Array<string | Buffer>) => parts.reduce((mac, part) => mac.update(part), createHmac('sha256', key))

const formats: Format[] = [
  {
    name: 'standardWebhooks()',
    scheme: standardWebhooks({ secret: STANDARD_SECRET }, { now }),
    headers: fc.record({
      'webhook-id': maybe(fc.stringMatching(/^[\x21-\x7e]{1,300}$/)),
      'webhook-timestamp': maybe(fc.integer({ min: seconds - 600, max: seconds + 600 }).map(String)),
      'webhook-signature': maybe(fc.array(fc.oneof(fc.base64String().map((s) => `v1,${s}`), anyValue), { maxLength: 3 }).map((list) => list.join(' '))),
    }),
    sign: (payload, id) => ({
      'webhook-id': id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': 'v1,' + hmac(standardKey, `${id}.${seconds}.`, payload).digest('base64'),
    }),
  },
  {
    name: 'githubSignature()',
    scheme: githubSignature({ secret: SECRET }),
    headers: fc.record({
      'x-hub-signature-256': maybe(fc.stringMatching(/^sha256=[0-9a-fA-F]{60,68}$/)),
      'x-hub-signature': maybe(fc.string()),
      'x-github-delivery': maybe(fc.uuid()),
    }),
    sign: (payload, id) => ({ 'x-hub-signature-256': 'sha256=' + hmac(SECRET, payload).digest('hex'), 'x-github-delivery': id }),
  },
  {
    name: 'stripeSignature()',
    scheme: stripeSignature({ secret: SECRET }, { now }),
    headers: fc.record({
      'stripe-signature': maybe(
        fc
          .array(fc.oneof(fc.integer({ min: seconds - 600, max: seconds + 600 }).map((t) => `t=${t}`), fc.stringMatching(/^v[01]=[0-9a-f]{64}$/), anyValue), { maxLength: 4 })
          .map((items) => items.join(',')),
      ),
    }),
    sign: (payload) => ({ 'stripe-signature': `t=${seconds},v1=` + hmac(SECRET, `${seconds}.`, payload).digest('hex') }),
  },
  {
    name: 'hmacSignature()',
    scheme: hmacSignature({ header: 'X-Signature', encoding: 'base64', prefix: 'sha256=', timestampHeader: 'X-Timestamp', idHeader: 'X-Id', now }, { secret: SECRET }),
    headers: fc.record({
      'x-signature': maybe(fc.base64String().map((s) => `sha256=${s}`)),
      'x-timestamp': maybe(fc.integer({ min: seconds - 600, max: seconds + 600 }).map(String)),
      'x-id': maybe(fc.string()),
    }),
    sign: (payload, id) => ({
      'x-signature': 'sha256=' + hmac(SECRET, `${seconds}.`, payload).digest('base64'),
      'x-timestamp': String(seconds),
      'x-id': id,
    }),
  },
]

const defined = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined))
const id = fc.stringMatching(/^[\x21-\x7e]{1,64}$/)

describe.each(formats)('$name header format (property-based)', ({ scheme, headers, sign }) => {
  it('reads any header values without throwing; a refusal carries a code of the status table', async () => {
    await fc.assert(
      fc.asyncProperty(headers, body, async (given, payload) => {
        const read = await scheme.authenticate(defined(given))
        if (read === undefined) return
        const verdict = read.ok === 'body' ? await read.verify(payload) : read
        if (verdict.ok) return
        expect(PROBLEMS).toHaveProperty([verdict.code])
      }),
    )
  })

  it('verifies a signature over any body, with its delivery id, and refuses it over the body with one byte changed', async () => {
    await fc.assert(
      fc.asyncProperty(body, id, fc.nat(), async (payload, deliveryId, at) => {
        const check = scheme.authenticate(sign(payload, deliveryId)) as BodyCheck
        expect(check.ok).toBe('body')
        expect(await check.verify(payload)).toEqual({ ok: true, tenant: 'default' })
        if (scheme.name !== 'stripe') expect(check.deliveryId).toBe(deliveryId)
        const changed = payload.length === 0 ? Buffer.from(' ') : Buffer.from(payload)
        if (payload.length > 0) changed[at % payload.length] = payload[at % payload.length]! ^ 0x01
        expect(await check.verify(changed)).toMatchObject({ ok: false, code: 'signature.invalid' })
      }),
    )
  })
})
