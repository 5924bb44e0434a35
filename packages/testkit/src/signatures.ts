import { createHmac } from 'node:crypto'
import {
  type AuthScheme,
  type ProblemCode,
  type SignatureOptions,
  githubSignature,
  hmacSignature,
  standardWebhooks,
  stripeSignature,
} from '@webhook-trigger/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Running, Start } from './conformance.js'
import { REFERENCE_PAYLOAD } from './fixtures.js'
import { type SendOptions, send } from './http-client.js'

/** A fixed "now" for every scheme under test, so "one second outside the tolerance" is exact. */
export const NOW = Date.UTC(2026, 10, 28, 10, 0, 0)
const nowSeconds = NOW / 1000

export const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
export const OLD_STANDARD_SECRET = 'whsec_' + Buffer.from('the previous secret, still live').toString('base64')
export const GITHUB_SECRET = "It's a Secret to Everybody"
export const STRIPE_SECRET = 'whsec_test_stripe_secret_123'
export const HMAC_SECRET = 'shpss_generic_secret'

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body` with the base64-decoded secret. */
export function signStandard(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

export function signGithub(secret: string, body: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
}

export function signStripe(secret: string, timestamp: number, body: string | Buffer): string {
  return `t=${timestamp},v1=` + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

interface SchemeCase {
  name: string
  scheme: (options: SignatureOptions) => AuthScheme
  /** Headers for `body` signed at `timestamp` with `secret`, delivery id `id`. */
  sign(body: string | Buffer, options?: { timestamp?: number; secret?: string; id?: string }): Record<string, string>
  /** Break one header: the problem code expected, and how. */
  missing: { headers: (valid: Record<string, string>) => Record<string, string>; code: ProblemCode }
  malformed: (valid: Record<string, string>) => Record<string, string>
  /** Whether the scheme checks a timestamp. */
  timed: boolean
  /** Whether it has a delivery id (replay protection). */
  replayable: boolean
  /** A secret still live during a rotation, and one never configured. */
  previousSecret: string
  unknownSecret: string
}

const omit = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name))

export const SIGNATURE_SCHEMES: SchemeCase[] = [
  {
    name: 'standardWebhooks()',
    scheme: (options) => standardWebhooks({ secret: [OLD_STANDARD_SECRET, STANDARD_SECRET], tenant: 'acme' }, options),
    // A rotated list with junk entries: unknown versions and undecodable ones are skipped.
    sign: (body, { timestamp = nowSeconds, secret = STANDARD_SECRET, id = 'msg_1' } = {}) => ({
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v2,AAAA v1,%%% v1a,x ${signStandard(secret, id, timestamp, body)} v1,${Buffer.alloc(32).toString('base64')}`,
    }),
    missing: { headers: (valid) => omit(valid, 'webhook-timestamp'), code: 'signature.missing' },
    malformed: (valid) => ({ ...valid, 'webhook-timestamp': `${valid['webhook-timestamp']}.5` }),
    timed: true,
    replayable: true,
    previousSecret: OLD_STANDARD_SECRET,
    unknownSecret: 'whsec_' + Buffer.from('never configured').toString('base64'),
  },
  {
    name: 'githubSignature()',
    scheme: (options) => githubSignature({ secret: ['old github secret', GITHUB_SECRET], tenant: 'acme' }, options),
    sign: (body, { secret = GITHUB_SECRET, id = 'd1f0' } = {}) => ({ 'x-hub-signature-256': signGithub(secret, body), 'x-github-delivery': id }),
    missing: {
      headers: (valid) => ({ ...omit(valid, 'x-hub-signature-256'), 'x-hub-signature': 'sha1=0000000000000000000000000000000000000000' }),
      code: 'signature.missing',
    },
    malformed: (valid) => ({ ...valid, 'x-hub-signature-256': valid['x-hub-signature-256']!.replace('sha256=', 'sha1=') }),
    timed: false,
    replayable: true,
    previousSecret: 'old github secret',
    unknownSecret: 'never configured',
  },
  {
    name: 'stripeSignature()',
    scheme: (options) => stripeSignature({ secret: ['whsec_old', STRIPE_SECRET], tenant: 'acme' }, options),
    sign: (body, { timestamp = nowSeconds, secret = STRIPE_SECRET } = {}) => ({ 'stripe-signature': signStripe(secret, timestamp, body) }),
    missing: { headers: (valid) => ({ 'stripe-signature': valid['stripe-signature']!.replace(/^t=\d+,/, '') }), code: 'signature.malformed' },
    malformed: (valid) => ({ 'stripe-signature': valid['stripe-signature']!.replace(/^t=/, 't=-') }),
    timed: true,
    replayable: false,
    previousSecret: 'whsec_old',
    unknownSecret: 'whsec_never_configured',
  },
  {
    name: 'hmacSignature()',
    scheme: (options) =>
      hmacSignature(
        { header: 'X-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'hmac ', timestampHeader: 'X-Timestamp', idHeader: 'X-Delivery', ...options },
        { secret: ['old', HMAC_SECRET], tenant: 'acme' },
      ),
    sign: (body, { timestamp = nowSeconds, secret = HMAC_SECRET, id = 'del_1' } = {}) => ({
      'x-signature': 'hmac ' + createHmac('sha512', secret).update(`${timestamp}.`).update(body).digest('base64'),
      'x-timestamp': String(timestamp),
      'x-delivery': id,
    }),
    missing: { headers: (valid) => omit(valid, 'x-timestamp'), code: 'signature.missing' },
    malformed: (valid) => ({ ...valid, 'x-signature': valid['x-signature']!.slice(5) }),
    timed: true,
    replayable: true,
    previousSecret: 'old',
    unknownSecret: 'never configured',
  },
]

const request = (headers: Record<string, string>, body: string | Buffer = REFERENCE_PAYLOAD): SendOptions => ({
  headers: { 'content-type': 'application/json', ...headers },
  body,
})

/** Every signature scheme through one framework harness, over real HTTP. */
export function describeSignatures(name: string, start: Start): void {
  describe.each(SIGNATURE_SCHEMES)(`${name}: $name`, (scheme) => {
    let app: Running
    beforeAll(async () => {
      app = await start({ webhook: { auth: scheme.scheme({ now: () => NOW }) }, mount: 'handler' })
    })
    afterAll(() => app.close())

    const expectRefused = async (options: SendOptions, status: number, code: ProblemCode) => {
      const before = app.calls.length
      const reply = await send(app.url, options)
      expect(reply.status).toBe(status)
      expect(reply.json()).toMatchObject({ code, status })
      expect(app.calls.length).toBe(before)
    }

    it('accepts a valid signature over the exact bytes', async () => {
      const body = '{ "event": "customer_update",\n  "data": {"id":"1234"} }'
      const reply = await send(app.url, request(scheme.sign(body, { id: 'accept-1' }), body))
      expect(reply.status).toBe(202)
      expect(app.calls.at(-1)).toMatchObject({ tenant: 'acme', event: 'customer_update', rawBody: Buffer.from(body) })
    })

    it('accepts a signature made with the previous secret during a rotation', async () => {
      expect((await send(app.url, request(scheme.sign(REFERENCE_PAYLOAD, { secret: scheme.previousSecret, id: 'rotate-1' })))).status).toBe(202)
    })

    it('refuses a missing signature header', () => expectRefused(request(scheme.missing.headers(scheme.sign(REFERENCE_PAYLOAD))), 401, scheme.missing.code))

    it('refuses a malformed signature header', () => expectRefused(request(scheme.malformed(scheme.sign(REFERENCE_PAYLOAD))), 401, 'signature.malformed'))

    it('refuses a signature made with an unknown secret', () =>
      expectRefused(request(scheme.sign(REFERENCE_PAYLOAD, { secret: scheme.unknownSecret })), 401, 'signature.invalid'))

    it('refuses a valid signature of another body', () =>
      expectRefused(request(scheme.sign('{"event":"customer_update","data":{}}'), REFERENCE_PAYLOAD), 401, 'signature.invalid'))

    it('verifies over bytes: a signed body with invalid UTF-8 passes the signature, then fails as a payload', async () => {
      const body = Buffer.concat([Buffer.from('{"event":"a","data":{"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')])
      await expectRefused(request(scheme.sign(body, { id: 'utf8-1' }), body), 400, 'payload.invalid_utf8')
      await expectRefused(request(scheme.sign(REFERENCE_PAYLOAD, { id: 'utf8-2' }), body), 401, 'signature.invalid')
    })

    if (scheme.timed) it('accepts timestamps exactly at the tolerance on both sides, and refuses one second beyond', async () => {
      expect((await send(app.url, request(scheme.sign(REFERENCE_PAYLOAD, { timestamp: nowSeconds - 300, id: 'edge-1' })))).status).toBe(202)
      expect((await send(app.url, request(scheme.sign(REFERENCE_PAYLOAD, { timestamp: nowSeconds + 300, id: 'edge-2' })))).status).toBe(202)
      await expectRefused(request(scheme.sign(REFERENCE_PAYLOAD, { timestamp: nowSeconds - 301, id: 'edge-3' })), 401, 'signature.stale')
      await expectRefused(request(scheme.sign(REFERENCE_PAYLOAD, { timestamp: nowSeconds + 301, id: 'edge-4' })), 401, 'signature.stale')
    })

    if (scheme.replayable) it('answers a replay 202 without running the handler again, and a reused id with another body 409', async () => {
      const headers = scheme.sign(REFERENCE_PAYLOAD, { id: 'replay-1' })
      const before = app.calls.length
      const first = await send(app.url, request(headers))
      const again = await send(app.url, request(headers))
      expect([first.status, again.status]).toEqual([202, 202])
      expect(again.json()).toMatchObject({ accepted: true, replay: true })
      expect(app.calls.length).toBe(before + 1)
      const other = '{"event":"customer_update","data":{"id":"other"}}'
      await expectRefused(request(scheme.sign(other, { id: 'replay-1' }), other), 409, 'payload.conflict')
    })
  })

  describe(`${name}: Standard Webhooks tolerance settings`, () => {
    const at = (tolerance: number | false) => start({ webhook: { auth: standardWebhooks({ secret: STANDARD_SECRET }, { tolerance, now: () => NOW }) } })
    const status = async (app: Running, skew: number, id: string) =>
      (await send(app.url, request(SIGNATURE_SCHEMES[0]!.sign(REFERENCE_PAYLOAD, { timestamp: nowSeconds + skew, id })))).status

    it('treats tolerance 0 as "the same second", not as "off"', async () => {
      const app = await at(0)
      expect([await status(app, 0, 't0-a'), await status(app, -1, 't0-b'), await status(app, 1, 't0-c')]).toEqual([202, 401, 401])
      await app.close()
    })

    it('turns the check off only when told to with false', async () => {
      const app = await at(false)
      expect(await status(app, -10 * 365 * 86_400, 'off-a')).toBe(202)
      await app.close()
    })
  })
}

/** A Standard Webhooks request signed now (real clock), for tests behind body parsers. */
export function signedNow(body: string = REFERENCE_PAYLOAD, id = `msg_${Math.random().toString(36).slice(2)}`): SendOptions {
  const timestamp = Math.floor(Date.now() / 1000)
  return request({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandard(STANDARD_SECRET, id, timestamp, body) }, body)
}
