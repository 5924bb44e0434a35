import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningExample, acceptedEvents, describePortInUse, runExample, send } from '@webhook-trigger/testkit'
import { afterEach, describe, expect, it, vi } from 'vitest'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const CRM_EVENT = '{"type":"contact.updated","contact":{"id":"1234","status":"active"}}'
const crm = (key = 'crm_key_123') => ({ headers: { 'content-type': 'application/json', 'x-api-key': key }, body: CRM_EVENT })

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('intermediary example (npm start), delivering to the Express receiver', () => {
  const running: RunningExample[] = []
  afterEach(async () => {
    for (const example of running.splice(0)) await example.stop()
  })
  // Each intermediary keeps its outbox in a fresh file, so no test sees another's events.
  const start = async (dir: string, env: Record<string, string> = {}) => {
    const example = await runExample(here(dir), { OUTBOX_PATH: join(mkdtempSync(join(tmpdir(), 'intermediary-')), 'outbox.sqlite'), ...env })
    running.push(example)
    return example
  }

  it('answers 202 and delivers the CRM event as the reference envelope', async () => {
    const receiver = await start('../../express-receiver')
    const intermediary = await start('..', { TARGET_URL: receiver.url })
    const reply = await send(intermediary.url, crm())
    expect(reply.status).toBe(202)
    const { id } = reply.json<{ id: string }>()
    const delivered = { eventId: id, tenant: 'tenant123', event: 'customer_update' }
    await vi.waitFor(() => expect(acceptedEvents(receiver)).toContainEqual(delivered), { timeout: 5000 })
    await vi.waitFor(() => expect(intermediary.logs()).toContainEqual(expect.objectContaining({ msg: 'event delivered', eventId: id, attempt: 1, upstreamStatus: 202 })), { timeout: 5000 })
    // One line as it came in, one as it went out.
    expect(acceptedEvents(intermediary)).toEqual([{ eventId: id, tenant: 'crm', event: '' }])
    expect(intermediary.logs().filter((line) => line.eventId === id).map((line) => line.msg)).toEqual(['webhook accepted', 'event delivered'])
    const everything = [...intermediary.lines, ...receiver.lines].join('\n')
    for (const secret of ['crm_key_123', 'api_token_abc123', 'contact.updated']) expect(everything).not.toContain(secret)
  })

  it('serves the delivery console and its API at /admin/ with ADMIN_TOKEN, and refuses the API without it', async () => {
    const receiver = await start('../../express-receiver')
    const intermediary = await start('..', { TARGET_URL: receiver.url, ADMIN_TOKEN: 'admin_secret_123' })
    const { id } = (await send(intermediary.url, crm())).json<{ id: string }>()
    const page = await send(intermediary.url, { method: 'GET', path: '/admin/' })
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain("default-src 'none'")
    expect(page.text).toContain('<title>Deliveries')
    const admin = { authorization: 'Bearer admin_secret_123' }
    await vi.waitFor(async () => {
      const delivered = await send(intermediary.url, { method: 'GET', path: '/admin/events?state=delivered', headers: admin })
      expect(delivered.json()).toMatchObject({ events: [{ id, state: 'delivered', event: 'customer_update', tenant: 'crm' }] })
    }, { timeout: 5000 })
    expect((await send(intermediary.url, { method: 'GET', path: '/admin/events?state=delivered' })).status).toBe(401)
    expect((await send(intermediary.url, { method: 'GET', path: '/admin/events', headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
  })

  it('has no admin routes without ADMIN_TOKEN', async () => {
    const intermediary = await start('..')
    expect((await send(intermediary.url, { method: 'GET', path: '/admin/' })).status).toBe(404)
  })

  it('refuses a wrong API key and delivers nothing', async () => {
    const receiver = await start('../../express-receiver')
    const intermediary = await start('..', { TARGET_URL: receiver.url })
    expect((await send(intermediary.url, crm('wrong'))).status).toBe(401)
    await vi.waitFor(() => expect(intermediary.logs()).toContainEqual(expect.objectContaining({ msg: 'webhook refused', code: 'auth.invalid' })))
    expect(acceptedEvents(receiver)).toEqual([])
  })

  it('with ADMIN_TOKEN: health and Prometheus metrics under /admin, behind the admin token', async () => {
    const receiver = await start('../../express-receiver')
    const intermediary = await start('..', { TARGET_URL: receiver.url, ADMIN_TOKEN: 'admin_token_example' })
    expect((await send(intermediary.url, crm())).status).toBe(202)
    const admin = (path: string, headers: Record<string, string> = {}) => send(intermediary.url, { method: 'GET', path: `/admin${path}`, headers: { authorization: 'Bearer admin_token_example', ...headers } })
    await vi.waitFor(async () => expect((await admin('/health')).json()).toMatchObject({ ok: true, reachable: true, pending: 0, dead: 0 }), { timeout: 5000 })
    const metrics = await admin('/metrics', { accept: 'text/plain' })
    expect(metrics.text).toMatch(/^webhook_trigger_requests_total\{outcome="accepted",code=""\} 1$/m)
    expect(metrics.text).toMatch(/^webhook_trigger_deliveries_total\{outcome="delivered"\} 1$/m)
    expect((await send(intermediary.url, { method: 'GET', path: '/admin/health' })).status).toBe(401)
  })

  it('answers 422 payload.schema, not a 500 from the transform, to bodies of another shape, queueing nothing', async () => {
    const intermediary = await start('..', { TARGET_URL: `http://127.0.0.1:${await freePort()}/webhook` })
    for (const body of ['{"event":"customer_update","data":{}}', '{"type":"contact.updated","contact":null}', 'null', '[]']) {
      const reply = await send(intermediary.url, { ...crm(), body })
      expect([body, reply.status, reply.json().code]).toEqual([body, 422, 'payload.schema'])
    }
    expect(intermediary.lines.filter((line) => line.startsWith('received'))).toEqual([])
  })

  it('delivers an event that arrived while the receiver was down, once it is back', async () => {
    const port = await freePort()
    const intermediary = await start('..', { TARGET_URL: `http://127.0.0.1:${port}/webhook` })
    const reply = await send(intermediary.url, crm())
    expect(reply.status).toBe(202)
    const { id } = reply.json<{ id: string }>()
    await vi.waitFor(() => expect(intermediary.logs()).toContainEqual(expect.objectContaining({ msg: 'delivery failed, will retry', eventId: id, attempt: 1, outcome: 'retrying' })), { timeout: 5000 })
    const receiver = await start('../../express-receiver', { PORT: String(port) })
    // The next attempt is due 5 s after the first (Standard Webhooks schedule).
    await vi.waitFor(() => expect(acceptedEvents(receiver)).toContainEqual({ eventId: id, tenant: 'tenant123', event: 'customer_update' }), { timeout: 10_000 })
  })
})

describePortInUse('intermediary', here('..'), { OUTBOX_PATH: join(mkdtempSync(join(tmpdir(), 'intermediary-')), 'outbox.sqlite') })
