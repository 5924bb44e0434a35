import { type AdminOptions, type Metrics, type Outbox, basic, bearer, createMetrics, memoryOutbox, tenants } from '@webhook-trigger/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { send, sendRaw } from './http-client.js'

/** Starts a real server with the admin router mounted at /admin. */
export type StartAdmin = (options: AdminOptions) => Promise<{ url: string; close(): Promise<void> }>

const ADMIN_TOKEN = 'admin_token_for_tests'

const T0 = Date.parse('2026-12-01T10:00:00Z')

async function seed(outbox: Outbox): Promise<void> {
  const now = Date.now()
  for (const id of ['evt_dead_1', 'evt_dead_2', 'evt_pending']) {
    await outbox.enqueue({ id, target: 'http://127.0.0.1:3000/webhook', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"secret":"body"}') }, now)
  }
  for (const lease of await outbox.lease(2, now, 30_000)) await outbox.bury(lease, 'upstream answer 410', 410, { at: now, duration: 7, status: 410, response: 'gone for good' })
}

/** Four delivered events, one a minute from T0, alternating event names and tenants. */
async function delivered(outbox: Outbox): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const at = T0 + i * 60_000
    const [event, tenant] = i % 2 === 0 ? ['order.created', 'acme'] : ['order.paid', 'globex']
    await outbox.enqueue({ id: `evt_ok_${i}`, target: 'http://127.0.0.1:3000/webhook', headers: {}, body: Buffer.from('{}'), event, tenant }, at)
    const [lease] = await outbox.lease(1, at, 30_000)
    await outbox.complete(lease!, { at, duration: 3, status: 200, response: 'ok' })
  }
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

    it('hands a request target that is no URL path on, never answering 500', async () => {
      for (const target of ['/admin//[', '/admin//evil/summary']) {
        const answer = await sendRaw(app.url, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nConnection: close\r\n\r\n`)
        expect(answer).toMatch(/^HTTP\/1\.1 404 /)
      }
    })

    it('refuses requests without the admin credentials', async () => {
      expect((await send(app.url, { method: 'GET', path: '/admin/events' })).status).toBe(401)
      expect((await admin('GET', '/events', 'api_token_abc123')).status).toBe(401)
    })

    it('lists dead and pending events newest first, with attempts and last error, never their bodies', async () => {
      const dead = await admin('GET', '/events?state=dead')
      expect(dead.status).toBe(200)
      expect(dead.json<{ events: unknown[] }>().events).toEqual([
        expect.objectContaining({ id: 'evt_dead_2', attempts: 1 }),
        expect.objectContaining({ id: 'evt_dead_1', attempts: 1, lastError: 'upstream answer 410', lastStatus: 410, bytes: 17 }),
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

    it('lists delivered events newest first, filtered, a page at a time with an opaque cursor', async () => {
      await delivered(outbox)
      type Page = { events: Array<{ id: string; state: string; deliveredAt: string; event: string; tenant: string }>; next?: string }
      const first = (await admin('GET', '/events?state=delivered&limit=3')).json<Page>()
      expect(first.events.map((e) => e.id)).toEqual(['evt_ok_3', 'evt_ok_2', 'evt_ok_1'])
      expect(first.events[0]).toMatchObject({ state: 'delivered', event: 'order.paid', tenant: 'globex', deliveredAt: new Date(T0 + 3 * 60_000 + 3).toISOString() })
      const rest = (await admin('GET', `/events?state=delivered&limit=3&cursor=${first.next!}`)).json<Page>()
      expect(rest.events.map((e) => e.id)).toEqual(['evt_ok_0'])
      expect(rest.next).toBeUndefined()
      const acme = (await admin('GET', '/events?state=delivered&tenant=acme&event=order.created')).json<Page>()
      expect(acme.events.map((e) => e.id)).toEqual(['evt_ok_2', 'evt_ok_0'])
      const from = new Date(T0 + 60_000).toISOString()
      const window = (await admin('GET', `/events?state=delivered&from=${from}&to=${T0 + 3 * 60_000}`)).json<Page>()
      expect(window.events.map((e) => e.id)).toEqual(['evt_ok_2', 'evt_ok_1'])
    })

    it('shows one event with its attempts, never its body or the answer unless showBodies is on', async () => {
      const one = await admin('GET', '/events/evt_dead_1')
      expect(one.status).toBe(200)
      expect(one.json()).toMatchObject({ id: 'evt_dead_1', state: 'dead', attempts: 1, history: [{ duration: 7, status: 410 }] })
      expect(one.text).not.toContain('secret')
      expect(one.text).not.toContain('gone for good')
      expect((await admin('GET', '/events/evt_nothing')).status).toBe(404)
      await app.close()
      app = await start({ outbox, auth: bearer({ token: ADMIN_TOKEN }), showBodies: true })
      const shown = (await admin('GET', '/events/evt_dead_1')).json<{ body: string; history: Array<{ response: string }> }>()
      expect(shown.body).toBe('{"secret":"body"}')
      expect(shown.history[0]!.response).toBe('gone for good')
    })

    it('counts events per state, and what was received, delivered and failed per minute', async () => {
      await delivered(outbox)
      const summary = await admin('GET', '/summary')
      expect(summary.json()).toMatchObject({ counts: { pending: 1, dead: 2, delivered: 4 }, activity: { bucket: 60_000 } })
      const { activity } = summary.json<{ activity: { received: number[]; failed: number[] } }>()
      expect(activity.received).toHaveLength(60)
      // The seeded events were received and failed just now, in the last minute; T0's are long past.
      expect(activity.received.at(-1)).toBe(3)
      expect(activity.failed.at(-1)).toBe(2)
      expect((await admin('GET', '/summary?minutes=0')).status).toBe(400)
    })

    it('serves the console without credentials: one page, its script and style allowed by nonce only, nothing from elsewhere', async () => {
      const [first, second] = [await send(app.url, { method: 'GET', path: '/admin/' }), await send(app.url, { method: 'GET', path: '/admin' })]
      for (const page of [first, second]) {
        expect(page.status).toBe(200)
        expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
        // The SVG namespace is a name, never fetched; the empty data: icon keeps the browser from asking for /favicon.ico.
        expect(page.text.replaceAll('http://www.w3.org/2000/svg', '').replace('<link rel="icon" href="data:,">', '')).not.toMatch(/\b(src|href)=|https?:\/\/|@import|url\(/)
      }
      const csp = String(first.headers['content-security-policy'])
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!
      expect(csp).toBe(
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      )
      expect(first.text.match(/<(script|style)\b[^>]*>/g)).toEqual([`<style nonce="${nonce}">`, `<script nonce="${nonce}">`])
      expect(second.headers['content-security-policy']).not.toContain(nonce)
      expect(first.headers['x-frame-options']).toBe('DENY')
      expect(first.text).not.toContain('evt_dead_1')
      expect((await send(app.url, { method: 'POST', path: '/admin/' })).status).toBe(405)
    })

    it('refuses a state-changing request a page on another site could forge, even with valid Basic credentials', async () => {
      await app.close()
      app = await start({ outbox, auth: basic(tenants({ admin: ADMIN_TOKEN })) })
      const authorization = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`
      const forged: Array<Record<string, string>> = [
        { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        { 'content-type': 'text/plain;charset=UTF-8' },
        { 'content-type': 'multipart/form-data; boundary=x' },
        { origin: 'http://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: 'http://admin.example' },
      ]
      for (const headers of forged) {
        for (const path of ['/admin/events/redeliver', '/admin/events/evt_dead_1/redeliver']) {
          const reply = await send(app.url, { method: 'POST', path, headers: { authorization, ...headers }, body: headers['content-type'] ? 'a=1' : undefined })
          expect(reply.status, JSON.stringify(headers)).toBe(403)
          expect(reply.json()).toMatchObject({ code: 'admin.cross_site' })
        }
        const purge = await send(app.url, { method: 'DELETE', path: '/admin/events?state=dead', headers: { authorization, ...headers } })
        expect(purge.status).toBe(403)
      }
      expect(await outbox.counts()).toMatchObject({ pending: 1, dead: 2 })
      // The console's own request: same origin, no form type.
      const host = new URL(app.url).host
      const own = await send(app.url, { method: 'POST', path: '/admin/events/redeliver', headers: { authorization, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' } })
      expect(own.json()).toEqual({ redelivered: 2 })
    })

    it('answers 400 for a query or an id it cannot read', async () => {
      for (const query of ['limit=0', 'limit=abc', 'limit=1001', 'from=yesterday', 'cursor=bm90LWEtY3Vyc29y', 'state=everything']) {
        const reply = await admin('GET', `/events?${query}`)
        expect(reply.status, query).toBe(400)
        expect(reply.json()).toMatchObject({ code: 'admin.bad_request' })
      }
      expect((await admin('GET', '/events/%E0%A4%A')).status).toBe(400)
      expect((await admin('POST', '/events/%E0%A4%A/redeliver')).status).toBe(400)
    })

    it('answers 400 for an unknown state and 405 for a wrong method', async () => {
      expect((await admin('GET', '/events?state=everything')).status).toBe(400)
      const wrong = await admin('PUT', '/events/redeliver')
      expect(wrong.status).toBe(405)
      expect(wrong.headers.allow).toBe('POST')
    })
  })
}
