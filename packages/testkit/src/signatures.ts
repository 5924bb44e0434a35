import type { ProblemCode } from '@webhook-trigger/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Running, type Start, seen } from './conformance.js'
import { REFERENCE_PAYLOAD } from './fixtures.js'
import { type SendOptions, send } from './http-client.js'
import { scenario } from './scenarios.js'
import { NOW_SECONDS as nowSeconds, SIGNATURE_SCHEMES, STANDARD_SECRET, signStandard } from './signature-schemes.js'

const request = (headers: Record<string, string>, body: string | Buffer = REFERENCE_PAYLOAD): SendOptions => ({
  headers: { 'content-type': 'application/json', ...headers },
  body,
})

/** Every signature scheme through one framework harness, over real HTTP. */
export function describeSignatures(name: string, start: Start): void {
  describe.each(SIGNATURE_SCHEMES)(`${name}: $name`, (scheme) => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario(`signature ${scheme.name}`))
    })
    afterAll(() => app.close())

    const expectRefused = async (options: SendOptions, status: number, code: ProblemCode) => {
      const before = (await seen(app)).length
      const reply = await send(app.url, options)
      expect(reply.status).toBe(status)
      expect(reply.json()).toMatchObject({ code, status })
      expect(await seen(app)).toHaveLength(before)
    }

    it('accepts a valid signature over the exact bytes', async () => {
      const body = '{ "event": "customer_update",\n  "data": {"id":"1234"} }'
      const reply = await send(app.url, request(scheme.sign(body, { id: 'accept-1' }), body))
      expect(reply.status).toBe(202)
      expect((await seen(app)).at(-1)).toMatchObject({ tenant: 'acme', event: 'customer_update', rawBody: Buffer.from(body) })
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
      const before = (await seen(app)).length
      const first = await send(app.url, request(headers))
      const again = await send(app.url, request(headers))
      expect([first.status, again.status]).toEqual([202, 202])
      expect(again.json()).toMatchObject({ accepted: true, replay: true })
      expect(await seen(app)).toHaveLength(before + 1)
      const other = '{"event":"customer_update","data":{"id":"other"}}'
      await expectRefused(request(scheme.sign(other, { id: 'replay-1' }), other), 409, 'payload.conflict')
    })

    if (scheme.replayable) it('answers a resend signed with the other secret during a rotation 202 as a replay, not 409', async () => {
      const before = (await seen(app)).length
      expect((await send(app.url, request(scheme.sign(REFERENCE_PAYLOAD, { id: 'rotate-replay-1' })))).status).toBe(202)
      const again = await send(app.url, request(scheme.sign(REFERENCE_PAYLOAD, { secret: scheme.previousSecret, id: 'rotate-replay-1' })))
      expect(again.status).toBe(202)
      expect(again.json()).toMatchObject({ accepted: true, replay: true })
      expect(await seen(app)).toHaveLength(before + 1)
    })
  })

  describe(`${name}: Standard Webhooks tolerance settings`, () => {
    const at = (tolerance: '0' | 'off') => start(scenario(`standardWebhooks() tolerance ${tolerance}`))
    const status = async (app: Running, skew: number, id: string) =>
      (await send(app.url, request(SIGNATURE_SCHEMES[0]!.sign(REFERENCE_PAYLOAD, { timestamp: nowSeconds + skew, id })))).status

    it('treats tolerance 0 as "the same second", not as "off"', async () => {
      const app = await at('0')
      expect([await status(app, 0, 't0-a'), await status(app, -1, 't0-b'), await status(app, 1, 't0-c')]).toEqual([202, 401, 401])
      await app.close()
    })

    it('turns the check off only when told to with false', async () => {
      const app = await at('off')
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
