import { type AdminOptions, type Metrics, type Outbox, bearer, createMetrics, memoryOutbox } from '@webhook-trigger/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { send } from './http-client.js'

/** Starts a real server with the admin router mounted at /admin. */
export type StartAdmin = (options: AdminOptions) => Promise<{ url: string; close(): Promise<void> }>

const ADMIN_TOKEN = 'admin_token_for_tests'

async function seed(outbox: Outbox): Promise<void> {
  const now = Date.now()
  for (const id of ['evt_dead_1', 'evt_dead_2', 'evt_pending']) {
    await outbox.enqueue({ id, target: 'http://127.0.0.1:3000/webhook', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"secret":"body"}') }, now)
  }
  for (const lease of await outbox.lease(2, now, 30_000)) await outbox.bury(lease, 'upstream answer 410', 410)
}

/** The admin API through one framework, over real HTTP. */
export function describeAdmin(name: string, start: StartAdmin): void {
  describe(`${name}: admin router`, () => {
    let outbox: Outbox
    let metrics: Metrics
    let app: { url: string; close(): Promise<void> }
    beforeEach(async () => {
      outbox = memoryOutbox()
      metrics = createMetrics()
      await seed(outbox)
      app = await start({ outbox, metrics, auth: bearer({ token: ADMIN_TOKEN }) })
    })
    afterEach(() => app.close())
    const admin = (method: string, path: string, token = ADMIN_TOKEN) => send(app.url, { method, path: `/admin${path}`, headers: { authorization: `Bearer ${token}` } })

    it('refuses requests without the admin credentials', async () => {
      expect((await send(app.url, { method: 'GET', path: '/admin/events' })).status).toBe(401)
      expect((await admin('GET', '/events', 'api_token_abc123')).status).toBe(401)
    })

    it('lists dead and pending events with attempts and last error, never their bodies', async () => {
      const dead = await admin('GET', '/events?state=dead')
      expect(dead.status).toBe(200)
      expect(dead.json<{ events: unknown[] }>().events).toEqual([
        expect.objectContaining({ id: 'evt_dead_1', attempts: 1, lastError: 'upstream answer 410', lastStatus: 410, bytes: 17 }),
        expect.objectContaining({ id: 'evt_dead_2', attempts: 1 }),
      ])
      expect(dead.text).not.toContain('secret')
      const pending = await admin('GET', '/events?state=pending')
      expect(pending.json<{ events: Array<{ id: string }> }>().events.map((e) => e.id)).toEqual(['evt_pending'])
    })

    it('redelivers one dead event, or answers 404 for an id it does not hold as dead', async () => {
      expect((await admin('POST', '/events/evt_dead_1/redeliver')).json()).toEqual({ redelivered: 1, id: 'evt_dead_1' })
      expect((await outbox.list('pending')).map((m) => m.id)).toContain('evt_dead_1')
      const missing = await admin('POST', '/events/evt_pending/redeliver')
      expect(missing.status).toBe(404)
      expect(missing.json()).toMatchObject({ code: 'admin.not_found' })
    })

    it('redelivers every dead event, and purges', async () => {
      expect((await admin('POST', '/events/redeliver')).json()).toEqual({ redelivered: 2 })
      expect(await outbox.list('dead')).toEqual([])
      expect((await admin('DELETE', '/events?state=pending')).json()).toEqual({ purged: 3 })
    })

    it('reports metrics', async () => {
      metrics.onEvent({ type: 'received', id: 'a' })
      metrics.onEvent({ type: 'dead', id: 'a', attempts: 8, error: 'x' })
      expect((await admin('GET', '/metrics')).json()).toEqual({ received: 1, delivered: 0, retried: 0, dead: 1, failed: 0 })
    })

    it('answers 400 for an unknown state and 405 for a wrong method', async () => {
      expect((await admin('GET', '/events?state=everything')).status).toBe(400)
      const wrong = await admin('PUT', '/events/redeliver')
      expect(wrong.status).toBe(405)
      expect(wrong.headers.allow).toBe('POST')
    })
  })
}
