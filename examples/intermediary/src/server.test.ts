import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningExample, runExample, send } from '@webhook-trigger/testkit'
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
    await vi.waitFor(() => expect(receiver.lines).toContain(`accepted event=customer_update tenant=tenant123 id=${id}`), { timeout: 5000 })
    await vi.waitFor(() => expect(intermediary.lines).toContain(`delivered id=${id} attempts=1`), { timeout: 5000 })
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
    expect(receiver.lines.filter((line) => line.startsWith('accepted'))).toEqual([])
  })

  it('delivers an event that arrived while the receiver was down, once it is back', async () => {
    const port = await freePort()
    const intermediary = await start('..', { TARGET_URL: `http://127.0.0.1:${port}/webhook` })
    const reply = await send(intermediary.url, crm())
    expect(reply.status).toBe(202)
    const { id } = reply.json<{ id: string }>()
    await vi.waitFor(() => expect(intermediary.lines.join('\n')).toContain(`retrying id=${id} attempts=1`), { timeout: 5000 })
    const receiver = await start('../../express-receiver', { PORT: String(port) })
    // The next attempt is due 5 s after the first (Standard Webhooks schedule).
    await vi.waitFor(() => expect(receiver.lines).toContain(`accepted event=customer_update tenant=tenant123 id=${id}`), { timeout: 10_000 })
  })
})
