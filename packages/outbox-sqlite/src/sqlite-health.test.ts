import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { adminRouter, bearer, forward } from '@webhook-trigger/express'
import { listen, send } from '@webhook-trigger/testkit'
import express from 'express5'
import { afterAll, describe, expect, it } from 'vitest'
import { sqliteOutbox } from './index.js'

const ADMIN = 'admin_token_sqlite_health'
const dir = mkdtempSync(join(tmpdir(), 'sqlite-health-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('GET /admin/health and forward().health() on sqliteOutbox()', () => {
  it('answers 200 with pending, dead and the oldest pending age, and 503 once the database cannot be read', async () => {
    const outbox = sqliteOutbox({ path: join(dir, 'outbox.sqlite') })
    const relay = forward({ to: 'http://127.0.0.1:9/webhook', outbox, delivery: { pollInterval: 60_000 } })
    const app = express()
    app.use('/admin', adminRouter({ outbox, auth: bearer({ token: ADMIN }) }))
    const server = await listen(createServer(app))
    try {
      const now = Date.now()
      for (const id of ['dead', 'pending']) await outbox.enqueue({ id, target: 'http://127.0.0.1:9/webhook', headers: {}, body: Buffer.from('{}') }, now - 30_000)
      await outbox.bury((await outbox.lease(1, now, 30_000))[0]!, 'upstream answer 410', 410)
      const health = () => send(server.url, { method: 'GET', path: '/admin/health', headers: { authorization: `Bearer ${ADMIN}` } })

      const up = await health()
      expect(up.status).toBe(200)
      const body = up.json<{ oldestPendingAgeSeconds: number }>()
      expect(body).toMatchObject({ ok: true, reachable: true, pending: 1, dead: 1 })
      expect(body.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(30)
      expect(await relay.health({ maxDead: 0 })).toMatchObject({ ok: false, reachable: true, exceeded: ['maxDead'] })

      await relay.close()
      await outbox.close()
      const down = await health()
      expect(down.status).toBe(503)
      expect(down.json()).toMatchObject({ ok: false, reachable: false })
    } finally {
      await server.close()
    }
  })
})
