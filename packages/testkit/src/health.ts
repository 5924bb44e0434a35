import { type AdminOptions, type Outbox, bearer, memoryOutbox } from '@webhook-trigger/core'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './http-client.js'
import type { StartAdmin } from './admin.js'

const ADMIN_TOKEN = 'admin_token_for_health'

/** GET /admin/health through one framework, over real HTTP, on a memory outbox. */
export function describeHealth(name: string, start: StartAdmin): void {
  describe(`${name}: GET /admin/health`, () => {
    const running: Array<{ close(): Promise<void> }> = []
    afterEach(async () => {
      for (const app of running.splice(0)) await app.close()
    })
    const startWith = async (outbox: Outbox, options: Partial<AdminOptions> = {}) => {
      const app = await start({ outbox, auth: bearer({ token: ADMIN_TOKEN }), ...options })
      running.push(app)
      return app
    }
    const health = (url: string, token: string | null = ADMIN_TOKEN, method = 'GET') =>
      send(url, { method, path: '/admin/health', headers: token === null ? {} : { authorization: `Bearer ${token}` } })

    it('answers 200 with the store reachable, pending and dead counts and the oldest pending age', async () => {
      const outbox = memoryOutbox()
      const now = Date.now()
      for (const id of ['dead', 'old', 'new']) await outbox.enqueue({ id, target: 'http://127.0.0.1:9/', headers: {}, body: Buffer.from('{}') }, id === 'new' ? now : now - 120_000)
      await outbox.bury((await outbox.lease(1, now, 30_000))[0]!, 'x')
      const app = await startWith(outbox)
      const reply = await health(app.url)
      expect(reply.status).toBe(200)
      expect(reply.headers['cache-control']).toBe('no-store')
      const body = reply.json<{ oldestPendingAgeSeconds: number }>()
      expect(body).toMatchObject({ ok: true, reachable: true, pending: 2, dead: 1 })
      expect(body.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(120)
      expect(body.oldestPendingAgeSeconds).toBeLessThan(180)
    })

    it('answers 503 naming the limits exceeded', async () => {
      const outbox = memoryOutbox()
      await outbox.enqueue({ id: 'a', target: 'http://127.0.0.1:9/', headers: {}, body: Buffer.from('{}') }, Date.now() - 700_000)
      const app = await startWith(outbox, { health: { maxOldestPendingAgeSeconds: 600, maxPending: 5 } })
      const reply = await health(app.url)
      expect(reply.status).toBe(503)
      expect(reply.json()).toMatchObject({ ok: false, reachable: true, pending: 1, exceeded: ['maxOldestPendingAgeSeconds'] })
    })

    it('answers 503 when the store fails, saying it is unreachable, never its error message', async () => {
      const outbox: Outbox = { ...memoryOutbox(), stats: () => Promise.reject(Object.assign(new Error('password=hunter2 refused'), { code: 'ECONNREFUSED' })) }
      const app = await startWith(outbox)
      const reply = await health(app.url)
      expect(reply.status).toBe(503)
      expect(reply.json()).toEqual({ ok: false, reachable: false, error: 'Error ECONNREFUSED' })
      expect(reply.text).not.toContain('hunter2')
    })

    it('asks for the admin credentials unless health.public is set, and answers 405 to other methods', async () => {
      const guarded = await startWith(memoryOutbox())
      expect((await health(guarded.url, null)).status).toBe(401)
      expect((await health(guarded.url, 'wrong')).status).toBe(401)
      const open = await startWith(memoryOutbox(), { health: { public: true } })
      expect((await health(open.url, null)).status).toBe(200)
      expect((await send(open.url, { method: 'GET', path: '/admin/events' })).status).toBe(401)
      const post = await health(guarded.url, ADMIN_TOKEN, 'POST')
      expect(post.status).toBe(405)
      expect(post.headers.allow).toBe('GET')
    })
  })
}
