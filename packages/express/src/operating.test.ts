import { createServer } from 'node:http'
import { type Outbox, type RequestEvent, memoryOutbox } from '@webhook-trigger/core'
import { STANDARD_SECRET, captureLog, listen, send, signedNow, startUpstream } from '@webhook-trigger/testkit'
import type { ErrorRequestHandler } from 'express'
import express5 from 'express5'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bearer, forward, standardWebhooks, tenants, webhook } from './index.js'

const TOKEN = 'tok_operating_test'
const EVENT = '{"event":"customer_update","data":{"id":"1"}}'
const json = { 'content-type': 'application/json' }

describe('webhook() logs and reports each request', () => {
  const closing: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const close of closing.splice(0)) await close()
    vi.restoreAllMocks()
  })

  async function start(options: Partial<Parameters<typeof webhook>[0]> = {}) {
    const log = captureLog('info')
    const reported: RequestEvent[] = []
    const app = express5()
    app.use(webhook({ path: '/webhook', auth: bearer(tenants({ acme: TOKEN })), logger: log.logger, onRequest: (e) => reported.push(e), handler: () => undefined, ...options }))
    const answer: ErrorRequestHandler = (error, _req, res, _next) => void res.status(500).json({ error: (error as Error).name })
    app.use(answer)
    const server = await listen(createServer(app))
    closing.push(() => server.close())
    return { url: server.url, log, reported }
  }
  const post = (url: string, headers: Record<string, string>, body = EVENT) => send(url, { headers: { ...json, ...headers }, body })

  it('accepted: one info line and one event with the id, tenant, event and duration', async () => {
    const { url, log, reported } = await start()
    const reply = await post(url, { authorization: `Bearer ${TOKEN}` })
    const { id } = reply.json<{ id: string }>()
    expect(reported).toEqual([{ outcome: 'accepted', eventId: id, tenant: 'acme', event: 'customer_update', durationMs: expect.any(Number) as unknown }])
    expect(reported[0]!.durationMs).toBeGreaterThan(0)
    await vi.waitFor(() => expect(log.lines).toHaveLength(1))
    expect(log.lines[0]).toMatchObject({ level: 30, component: 'webhook', msg: 'webhook accepted', outcome: 'accepted', eventId: id, tenant: 'acme', event: 'customer_update' })
  })

  it('refused: the problem code and status; a duplicate: its id and 202', async () => {
    const { url, log, reported } = await start({ dedupe: true })
    await post(url, { authorization: 'Bearer wrong' })
    await post(url, { authorization: `Bearer ${TOKEN}` }, '{"event":1}')
    await post(url, { authorization: `Bearer ${TOKEN}`, 'idempotency-key': 'evt_1' })
    await post(url, { authorization: `Bearer ${TOKEN}`, 'idempotency-key': 'evt_1' })
    await vi.waitFor(() => expect(reported).toHaveLength(4))
    expect(reported.map(({ outcome, code, status, eventId }) => ({ outcome, code, status, eventId }))).toEqual([
      { outcome: 'refused', code: 'auth.invalid', status: 401, eventId: undefined },
      { outcome: 'refused', code: 'payload.envelope', status: 422, eventId: undefined },
      { outcome: 'accepted', code: undefined, status: undefined, eventId: 'evt_1' },
      { outcome: 'duplicate', code: undefined, status: 202, eventId: 'evt_1' },
    ])
    expect(log.lines.map((line) => line.msg)).toEqual(['webhook refused', 'webhook refused', 'webhook accepted', 'webhook duplicate'])
  })

  it('a lookup that throws: an error line with its class and code, never its message', async () => {
    const failing = { tenantOf: () => Promise.reject(Object.assign(new Error(`no tenant for ${TOKEN}`), { code: 'DB_DOWN' })) }
    const { url, log, reported } = await start({ auth: bearer(failing) })
    expect((await post(url, { authorization: `Bearer ${TOKEN}` })).status).toBe(500)
    expect(reported).toEqual([{ outcome: 'error', durationMs: expect.any(Number) as unknown }])
    await vi.waitFor(() => expect(log.lines).toHaveLength(1))
    expect(log.lines[0]).toMatchObject({ level: 50, msg: 'webhook check failed', error: 'Error', errorCode: 'DB_DOWN' })
    expect(log.text()).not.toContain(TOKEN)
  })

  it('a signature behind a body parser (a 500 caused by our configuration): a warning on stderr without a logger, once a minute', async () => {
    const written: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true))
    const app = express5()
    app.use(express5.json())
    app.use(webhook({ path: '/webhook', auth: standardWebhooks({ secret: STANDARD_SECRET, tenant: 'acme' }), handler: () => undefined }))
    const server = await listen(createServer(app))
    closing.push(() => server.close())
    for (let i = 0; i < 3; i++) {
      const reply = await send(server.url, signedNow(EVENT))
      expect(reply.json()).toMatchObject({ code: 'server.raw_body_unavailable' })
    }
    expect(written).toEqual(['webhook-trigger warn [webhook] webhook refused {"outcome":"refused","code":"server.raw_body_unavailable","status":500}\n'])
  })

  it('an onRequest that throws is logged, and the request is still answered', async () => {
    const { url, log } = await start({ onRequest: () => { throw new TypeError('listener bug') } })
    expect((await post(url, { authorization: `Bearer ${TOKEN}` })).status).toBe(202)
    await vi.waitFor(() => expect(log.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'listener threw', listener: 'onRequest', error: 'TypeError' })))
  })

  it('refuses a logger without the four methods, and an onRequest that is not a function, at creation', () => {
    const auth = bearer(tenants({ acme: TOKEN }))
    expect(() => webhook({ auth, logger: { info() {} } as never })).toThrow(/webhook\(\): "logger" must have error, warn, info and debug methods/)
    expect(() => webhook({ auth, onRequest: 'yes' as never })).toThrow(/webhook\(\): "onRequest" must be a function/)
    expect(() => forward({ to: 'http://127.0.0.1:9/', logger: console, onEvent: 1 as never })).toThrow(/forward\(\): "onEvent" must be a function/)
  })
})

describe('forward() logs delivery outcomes and reports health', () => {
  const closing: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const close of closing.splice(0)) await close()
  })

  it('logs a failing outbox by error class, and answers health() from the outbox, or ok when relaying', async () => {
    const log = captureLog('info')
    const real = memoryOutbox()
    const failing: Outbox = { ...real, lease: () => Promise.reject(Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' })) }
    const queued = forward({ to: 'http://127.0.0.1:9/webhook', outbox: failing, logger: log.logger, delivery: { pollInterval: 10 } })
    const relay = forward({ to: 'http://127.0.0.1:9/webhook', logger: log.logger })
    closing.push(() => queued.close(), () => relay.close())
    await vi.waitFor(() => expect(log.lines).toContainEqual(expect.objectContaining({ level: 50, component: 'deliverer', msg: 'outbox call failed', error: 'Error', errorCode: 'SQLITE_BUSY' })))
    expect(log.text()).not.toContain('database is locked')
    expect(await queued.health()).toEqual({ ok: true, reachable: true, pending: 0, dead: 0, oldestPendingAgeSeconds: 0 })
    expect(await relay.health()).toEqual({ ok: true, reachable: true })
  })

  it('an onEvent that throws is logged, and the queued event is still delivered once', async () => {
    const log = captureLog('info')
    const upstream = await startUpstream([{ status: 202 }])
    const outbox = memoryOutbox()
    const relay = forward({ to: `${upstream.url}/webhook`, outbox, logger: log.logger, delivery: { pollInterval: 10 }, onEvent: () => { throw new Error('listener bug') } })
    const app = express5()
    app.use(relay)
    const server = await listen(createServer(app))
    closing.push(() => server.close(), () => relay.close(), () => upstream.close())
    expect((await send(server.url, { headers: json, body: EVENT })).status).toBe(202)
    await vi.waitFor(() => expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'event delivered' })))
    expect(await outbox.stats()).toEqual({ pending: 0, dead: 0 })
    expect(upstream.received).toHaveLength(1)
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'listener threw', listener: 'onEvent', error: 'Error' }))
  })

  it('relay: event delivered with the upstream status and the attempt, or relay failed after the retries', async () => {
    const log = captureLog('debug')
    const upstream = await startUpstream([{ status: 202 }, { status: 503 }])
    const relay = forward({ to: `${upstream.url}/webhook`, logger: log.logger, retry: { retries: 1, baseDelay: 1, maxDelay: 1 } })
    const app = express5()
    app.use(relay)
    const server = await listen(createServer(app))
    closing.push(() => server.close(), () => relay.close(), () => upstream.close())
    const first = await send(server.url, { headers: { ...json, 'idempotency-key': 'evt_ok' }, body: EVENT })
    expect(first.status).toBe(202)
    expect((await send(server.url, { headers: { ...json, 'idempotency-key': 'evt_bad' }, body: EVENT })).status).toBe(503)
    const lines = log.lines.map(({ msg, eventId, attempt, upstreamStatus, outcome }) => ({ msg, eventId, attempt, upstreamStatus, outcome }))
    expect(lines).toEqual([
      { msg: 'event received', eventId: 'evt_ok', attempt: undefined, upstreamStatus: undefined, outcome: undefined },
      { msg: 'delivery attempt', eventId: 'evt_ok', attempt: 1, upstreamStatus: 202, outcome: 'delivered' },
      { msg: 'event delivered', eventId: 'evt_ok', attempt: 1, upstreamStatus: 202, outcome: 'delivered' },
      { msg: 'event received', eventId: 'evt_bad', attempt: undefined, upstreamStatus: undefined, outcome: undefined },
      { msg: 'delivery attempt', eventId: 'evt_bad', attempt: 1, upstreamStatus: 503, outcome: 'failed' },
      { msg: 'delivery attempt', eventId: 'evt_bad', attempt: 2, upstreamStatus: 503, outcome: 'failed' },
      { msg: 'relay failed', eventId: 'evt_bad', attempt: 2, upstreamStatus: 503, outcome: 'failed' },
    ])
  })
})
