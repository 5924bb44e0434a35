import { type IncomingHttpHeaders, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type Deliverer,
  type DeliveryEvent,
  type ForwardOptions,
  type WebhookOptions,
  basic,
  createMetrics,
  header,
  memoryOutbox,
  standardWebhooksSigner,
  tenants,
} from '@webhook-trigger/core'
import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { API_KEY, REFERENCE_PAYLOAD, TENANT, TOKEN, basicAuth } from './fixtures.js'
import { send, sendRaw } from './http-client.js'
import { signStandard } from './signature-schemes.js'
import { type Upstream, startUpstream } from './upstream.js'

export interface RelayHarnessOptions {
  forward: ForwardOptions
  /** Mount webhook() with these options before forward(). */
  verify?: WebhookOptions
}

export interface RunningRelay {
  url: string
  close(): Promise<void>
  /** The forward() middleware's background deliverer, in queued mode. */
  deliverer: Deliverer | undefined
}

/** Starts a real server mounting forward() (after webhook() when `verify` is given) on every path. */
export type StartRelay = (options: RelayHarnessOptions) => Promise<RunningRelay>

const identity = { tenant: TENANT, token: TOKEN }
const fast = { baseDelay: 1, maxDelay: 5 }
const CRM_EVENT = '{"type":"contact.updated","contact":{"id":"1234","status":"active"}}'

async function refusedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}/webhook`
}

const json = { 'content-type': 'application/json' }

/** Relay and intermediary behaviour every adapter must show, over real sockets. */
export function describeForwarding(name: string, start: StartRelay): void {
  let upstream: Upstream | undefined
  let relay: RunningRelay | undefined
  afterEach(async () => {
    await relay?.close()
    await upstream?.close()
    relay = upstream = undefined
  })
  const setUp = async (script: Parameters<typeof startUpstream>[0], forward: Partial<ForwardOptions> = {}, verify?: WebhookOptions) => {
    upstream = await startUpstream(script)
    relay = await start({ forward: { to: `${upstream.url}/webhook`, auth: basic(identity), retry: fast, ...forward }, verify })
    return { upstream, relay }
  }

  describe(`${name}: relay (a simple HTTP proxy)`, () => {
    it('sends the body byte for byte with its Content-Type and our credentials, and relays the answer', async () => {
      const { upstream, relay } = await setUp([{ status: 202, body: '{"accepted":true,"id":"x"}' }])
      const body = '{ "event":"customer_update" ,"data":{"id":"1234"}}\n'
      const reply = await send(relay.url, { path: '/anything', headers: { 'content-type': 'application/json; charset=utf-8' }, body })
      expect(reply.status).toBe(202)
      expect(reply.json()).toEqual({ accepted: true, id: 'x' })
      const [received] = upstream.received
      expect(received!.url).toBe('/webhook')
      expect(received!.body.toString()).toBe(body)
      expect(received!.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(received!.headers.authorization).toBe(basicAuth(TENANT, TOKEN))
      expect(received!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
      expect(received!.headers['x-forwarded-for']).toBe('127.0.0.1')
      expect(received!.headers.forwarded).toBe('for=127.0.0.1;proto=http')
    })

    it('never passes inbound credentials, hop-by-hop headers or forwarding claims upstream', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }])
      await send(relay.url, {
        headers: {
          ...json,
          authorization: 'Bearer inbound_secret',
          'proxy-authorization': 'Basic c2VjcmV0',
          cookie: 'session=secret',
          connection: 'keep-alive, x-hop',
          'x-hop': '1',
          'keep-alive': 'timeout=5',
          te: 'trailers',
          'x-forwarded-host': 'evil.example',
          'x-custom': 'kept',
        },
        body: REFERENCE_PAYLOAD,
      })
      const { headers, rawHeaders } = upstream.received[0]!
      expect(rawHeaders.join('\n')).not.toMatch(/inbound_secret|c2VjcmV0|session=secret|evil\.example/)
      expect(headers['x-hop']).toBeUndefined()
      expect(headers['keep-alive']).toBeUndefined()
      expect(headers.te).toBeUndefined()
      expect(headers['x-custom']).toBe('kept')
    })

    it('keeps the caller\'s Idempotency-Key and sends the same one on every attempt', async () => {
      const { upstream, relay } = await setUp([{ status: 500 }, { status: 503 }, { status: 200 }])
      const reply = await send(relay.url, { headers: { ...json, 'idempotency-key': 'evt_42' }, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(200)
      expect(upstream.received.map((r) => r.headers['idempotency-key'])).toEqual(['evt_42', 'evt_42', 'evt_42'])
    })

    it('answers with the upstream\'s status when it is still failing after the retries', async () => {
      const { upstream, relay } = await setUp([{ status: 503, body: '{"down":true}' }])
      const reply = await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(503)
      expect(reply.json()).toEqual({ down: true })
      expect(upstream.received).toHaveLength(3)
    })

    it('retries after a 429 no sooner than Retry-After, and passes Retry-After on when it gives up', async () => {
      const { upstream, relay } = await setUp([{ status: 429, headers: { 'retry-after': '1' } }, { status: 202 }])
      expect((await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })).status).toBe(202)
      expect(upstream.received[1]!.at - upstream.received[0]!.at).toBeGreaterThanOrEqual(1000)
    })

    it.each([400, 401, 410, 422])('treats %i from the upstream as final and relays it', async (status) => {
      const { upstream, relay } = await setUp([{ status, body: '{"code":"x"}' }])
      expect((await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })).status).toBe(status)
      expect(upstream.received).toHaveLength(1)
    })

    it('answers 502 when the upstream refuses connections, after the retries', async () => {
      upstream = await startUpstream()
      relay = await start({ forward: { to: await refusedUrl(), auth: basic(identity), retry: fast } })
      const reply = await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(502)
      expect(reply.json()).toMatchObject({ code: 'upstream.unreachable', status: 502 })
    })

    it('answers 504 when the upstream is too slow', async () => {
      const { relay } = await setUp([{ status: 202, delay: 3000 }], { timeout: 200, retry: false })
      const reply = await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(504)
      expect(reply.json()).toMatchObject({ code: 'upstream.timeout' })
    })

    it('does not follow a redirect', async () => {
      const elsewhere = await startUpstream()
      const { upstream, relay } = await setUp([{ status: 307, headers: { location: `${elsewhere.url}/steal` } }])
      const reply = await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(502)
      expect(reply.json()).toMatchObject({ code: 'upstream.redirect' })
      expect(upstream.received).toHaveLength(1)
      expect(elsewhere.received).toHaveLength(0)
      await elsewhere.close()
    })

    it('reads only a bounded amount of an oversized upstream answer', async () => {
      const { relay } = await setUp([{ status: 200, body: 'x'.repeat(5 * 1024 * 1024) }], { maxResponseBytes: 1024 })
      const reply = await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(200)
      expect(reply.text).toBe('')
    })

    it('connects only to the configured target, whatever the request line and Host say', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }])
      const decoy = await startUpstream()
      const { host } = new URL(decoy.url)
      const answer = await sendRaw(
        relay.url,
        [
          `POST http://${host}/x HTTP/1.1`,
          `Host: ${host}`,
          `X-Forwarded-Host: ${host}`,
          'Content-Type: application/json',
          `Content-Length: ${REFERENCE_PAYLOAD.length}`,
          'Connection: close',
          '',
          REFERENCE_PAYLOAD,
        ].join('\r\n'),
      )
      expect(answer).toMatch(/^HTTP\/1\.1 202/)
      expect(decoy.received).toHaveLength(0)
      expect(upstream.received.map((r) => r.url)).toEqual(['/webhook'])
      await decoy.close()
    })

    it('answers 405 to methods other than POST and 413 to bodies over its limit, sending nothing', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }], { limit: 100 })
      expect((await send(relay.url, { method: 'GET' })).status).toBe(405)
      expect((await send(relay.url, { headers: json, body: 'x'.repeat(101) })).status).toBe(413)
      expect((await send(relay.url, { headers: json, body: 'x'.repeat(101), chunked: true })).status).toBe(413)
      expect(upstream.received).toHaveLength(0)
    })

    it('answers 408 payload.timeout to a body that stalls past bodyTimeout, sending nothing', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }], { bodyTimeout: 300 })
      // Declares 66 bytes, sends 10, then waits: only the timeout can end the read.
      const answer = await sendRaw(
        relay.url,
        ['POST /webhook HTTP/1.1', 'Host: x', 'Content-Type: application/json', `Content-Length: ${REFERENCE_PAYLOAD.length}`, '', REFERENCE_PAYLOAD.slice(0, 10)].join('\r\n'),
      )
      expect(answer).toMatch(/^HTTP\/1\.1 408 /)
      expect(answer.toLowerCase()).toContain('connection: close')
      expect(answer).toContain('"code":"payload.timeout"')
      expect(upstream.received).toHaveLength(0)
    })
  })

  describe(`${name}: relay after webhook()`, () => {
    const verify: WebhookOptions = { auth: header('X-Api-Key', tenants({ crm: API_KEY })) }

    it('requires the third party\'s credentials, then forwards with ours and never theirs', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }], {}, verify)
      expect((await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })).status).toBe(401)
      expect((await send(relay.url, { headers: { ...json, 'x-api-key': 'wrong' }, body: REFERENCE_PAYLOAD })).status).toBe(401)
      expect((await send(relay.url, { headers: { ...json, 'x-api-key': API_KEY }, body: '{"event":"x"}' })).status).toBe(422)
      expect(upstream.received).toHaveLength(0)
      const reply = await send(relay.url, { headers: { ...json, 'x-api-key': API_KEY, 'webhook-id': 'wh_1' }, body: REFERENCE_PAYLOAD })
      expect(reply.status).toBe(202)
      const { headers, body } = upstream.received[0]!
      expect(headers['x-api-key']).toBeUndefined()
      expect(headers.authorization).toBe(basicAuth(TENANT, TOKEN))
      expect(headers['idempotency-key']).toBe('wh_1')
      expect(body.toString()).toBe(REFERENCE_PAYLOAD)
    })
  })

  describe(`${name}: intermediary (receive, transform, queue, deliver)`, () => {
    const verify: WebhookOptions = { auth: header('X-Api-Key', tenants({ crm: API_KEY })), envelope: false }
    const transform: ForwardOptions['transform'] = (hook) => {
      const payload = hook.payload as { type: string; contact: { id: string; status: string } }
      return { event: 'customer_update', data: { id: payload.contact.id, status: payload.contact.status } }
    }
    const crm = (headers: Record<string, string> = {}) => ({ headers: { ...json, 'x-api-key': API_KEY, ...headers }, body: CRM_EVENT })

    it('answers 202 at once and delivers the transformed envelope in the background, counting both', async () => {
      const outbox = memoryOutbox()
      const metrics = createMetrics()
      const { upstream, relay } = await setUp([{ status: 202 }], { transform, outbox, onEvent: metrics.onEvent, delivery: { pollInterval: 20 } }, verify)
      const reply = await send(relay.url, crm())
      expect(reply.status).toBe(202)
      const { id } = reply.json<{ id: string }>()
      await vi.waitFor(() => expect(upstream.received).toHaveLength(1))
      const [received] = upstream.received
      expect(received!.body.toString()).toBe('{"event":"customer_update","data":{"id":"1234","status":"active"}}')
      expect(received!.headers['content-type']).toBe('application/json')
      expect(received!.headers['idempotency-key']).toBe(id)
      expect(received!.headers.authorization).toBe(basicAuth(TENANT, TOKEN))
      expect(received!.headers['x-api-key']).toBeUndefined()
      await vi.waitFor(async () => expect(await outbox.list('pending')).toHaveLength(0))
      expect(metrics.snapshot()).toEqual({ received: 1, delivered: 1, retried: 0, dead: 0, failed: 0 })
      // Filed under the delivered envelope's event and the sender's tenant, with the attempt on record.
      expect(await outbox.get(id)).toMatchObject({ state: 'delivered', event: 'customer_update', tenant: 'crm', history: [{ status: 202 }] })
    })

    it('keeps the event while the receiver is down and delivers it once it is back', async () => {
      const events: DeliveryEvent[] = []
      let clock = Date.now()
      const outbox = memoryOutbox()
      const target = await refusedUrl()
      relay = await start({
        forward: { to: target, auth: basic(identity), transform, outbox, delivery: { now: () => clock, pollInterval: 60_000, onEvent: (e) => events.push(e) } },
        verify,
      })
      const middleware = relay.deliverer!
      expect((await send(relay.url, crm())).status).toBe(202)
      await middleware.tick()
      expect(events.at(-1)).toMatchObject({ type: 'retrying', attempts: 1 })
      // The receiver comes back on the same port; the next attempt is due 5 s later.
      upstream = await startUpstream([{ status: 202, body: '{"accepted":true}' }], Number(new URL(target).port))
      await middleware.tick()
      expect(upstream.received).toHaveLength(0)
      clock += 5000
      await middleware.tick()
      expect(upstream.received).toHaveLength(1)
      expect(events.at(-1)).toMatchObject({ type: 'delivered', attempts: 2 })
      const [event] = (await outbox.find({ state: 'delivered', limit: 1 })).events
      const { history } = (await outbox.get(event!.id))!
      expect(history).toEqual([
        { at: clock - 5000, duration: expect.any(Number) as number, error: expect.stringMatching(/could not be reached \(ECONNREFUSED\)/) as string },
        { at: clock, duration: expect.any(Number) as number, status: 202, response: '{"accepted":true}' },
      ])
    })

    it('holds the 202 back while more than delivery.highWaterMark events wait, instead of queueing without bound', async () => {
      const events: DeliveryEvent[] = []
      const outbox = memoryOutbox()
      const delivery = { concurrency: 1, highWaterMark: 2, pollInterval: 60_000, onEvent: (e: DeliveryEvent) => events.push(e) }
      await setUp([{ status: 202, delay: 1000 }], { transform, outbox, delivery }, verify)
      // The first is sent at once and held upstream for a second; the next two wait in the outbox, up to the mark.
      for (let i = 0; i < 3; i++) expect((await send(relay!.url, crm())).status).toBe(202)
      let answered = false
      const fourth = send(relay!.url, crm()).finally(() => (answered = true))
      // Stored before it waits: the outbox holds it while its answer is held back.
      await vi.waitFor(async () => expect(await outbox.list('pending')).toHaveLength(4))
      expect(answered).toBe(false)
      expect((await fourth).status).toBe(202)
      // Answered once the first delivery made room.
      expect(events.map((e) => e.type)).toEqual(['attempt', 'delivered'])
    })

    it('answers 500 naming the problem when the transform returns a bad envelope, queueing nothing', async () => {
      const outbox = memoryOutbox()
      await setUp([{ status: 202 }], { transform: () => ({ event: '', data: [] }) as never, outbox }, verify)
      const reply = await send(relay!.url, crm())
      expect(reply.status).toBe(500)
      expect(reply.json()).toMatchObject({ code: 'transform.invalid' })
      expect(reply.json<{ errors: Array<{ pointer: string }> }>().errors.map((e) => e.pointer)).toEqual(['/event', '/data'])
      expect(await outbox.list('pending')).toHaveLength(0)
    })

    it('answers 503 outbox.unavailable with Retry-After when the outbox cannot store the event: never a 202, never an error page', async () => {
      const full = { ...memoryOutbox(), enqueue: () => Promise.reject(new Error('SQLITE_FULL: database or disk is full at /srv/data/outbox.sqlite')) }
      await setUp([{ status: 202 }], { transform, outbox: full, delivery: { pollInterval: 60_000 } }, verify)
      const reply = await send(relay!.url, crm())
      expect(reply.status).toBe(503)
      expect(reply.headers['content-type']).toBe('application/problem+json')
      expect(reply.headers['retry-after']).toBe('5')
      expect(reply.json()).toMatchObject({ code: 'outbox.unavailable', status: 503 })
      expect(reply.text).not.toMatch(/SQLITE|srv/)
      expect(upstream!.received).toHaveLength(0)
    })

    it('answers a redelivered event again without queueing it twice', async () => {
      const outbox = memoryOutbox()
      await setUp([{ status: 500 }], { transform, outbox, delivery: { pollInterval: 60_000 } }, verify)
      const first = await send(relay!.url, crm({ 'webhook-id': 'crm-evt-9' }))
      const again = await send(relay!.url, crm({ 'webhook-id': 'crm-evt-9' }))
      expect([first.status, again.status]).toEqual([202, 202])
      expect(again.json()).toEqual(first.json())
      expect(await outbox.list('pending')).toHaveLength(1)
    })
  })

  describe(`${name}: signing on the way out`, () => {
    const ours = 'whsec_' + Buffer.from('the relay signs with this').toString('base64')
    const theirs = 'whsec_' + Buffer.from('the third party signs with this').toString('base64')
    const verifies = (secret: string, received: { headers: IncomingHttpHeaders; body: Buffer }) => {
      const { headers, body } = received
      const wanted = { 'webhook-id': headers['webhook-id'], 'webhook-timestamp': headers['webhook-timestamp'], 'webhook-signature': headers['webhook-signature'] }
      new Webhook(secret).verify(body.toString(), wanted as Record<string, string>)
      return true
    }

    it('re-signs a transformed body, with the idempotency key as webhook-id on every attempt', async () => {
      const verify: WebhookOptions = { auth: header('X-Api-Key', tenants({ crm: API_KEY })), envelope: false }
      const transform: ForwardOptions['transform'] = () => ({ event: 'customer_update', data: { id: '1234' } })
      const { upstream, relay } = await setUp([{ status: 500 }, { status: 202 }], { transform, sign: standardWebhooksSigner(ours) }, verify)
      expect((await send(relay.url, { headers: { ...json, 'x-api-key': API_KEY }, body: CRM_EVENT })).status).toBe(202)
      expect(upstream.received).toHaveLength(2)
      for (const received of upstream.received) {
        expect(verifies(ours, received)).toBe(true)
        expect(received.headers['webhook-id']).toBe(received.headers['idempotency-key'])
      }
      expect(new Set(upstream.received.map((r) => r.headers['webhook-id'])).size).toBe(1)
    })

    it('passes the third party\'s own signature on untouched when the body is unchanged', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }], { sign: standardWebhooksSigner(ours) })
      const signature = signStandard(theirs, 'msg_3p', 1_800_000_000, REFERENCE_PAYLOAD)
      const headers = { ...json, 'webhook-id': 'msg_3p', 'webhook-timestamp': '1800000000', 'webhook-signature': signature }
      expect((await send(relay.url, { headers, body: REFERENCE_PAYLOAD })).status).toBe(202)
      expect(upstream.received[0]!.headers['webhook-signature']).toBe(signature)
      expect(upstream.received[0]!.headers['webhook-timestamp']).toBe('1800000000')
    })

    it('signs an unsigned relayed body', async () => {
      const { upstream, relay } = await setUp([{ status: 202 }], { sign: standardWebhooksSigner(ours) })
      expect((await send(relay.url, { headers: json, body: REFERENCE_PAYLOAD })).status).toBe(202)
      expect(verifies(ours, upstream.received[0]!)).toBe(true)
    })
  })
}

