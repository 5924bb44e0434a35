import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { adminRouter, bearer, forward } from '@webhook-trigger/express'
import { captureLog, listen, redisAnswers, send } from '@webhook-trigger/testkit'
import express from 'express5'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { redisOutbox } from './index.js'

// A Redis of this test's own, stopped and restarted by it; the shared one on 6379 is never touched.
const PORT = 6387
const URL_ = `redis://127.0.0.1:${PORT}`
const ADMIN = 'admin_token_redis_health'
const TIMEOUT = 500

function startRedis(dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
}

const hasRedisServer = await new Promise<boolean>((resolve) => {
  const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' })
  probe.on('error', () => resolve(false))
  probe.on('exit', (code) => resolve(code === 0))
})

describe.skipIf(!hasRedisServer)('GET /admin/health and forward().health() on redisOutbox()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-health-'))
  const log = captureLog()
  let redis: ChildProcess
  let app: { url: string; close(): Promise<void> }
  let outbox: ReturnType<typeof redisOutbox>
  let relay: ReturnType<typeof forward>

  beforeAll(async () => {
    expect(await redisAnswers(URL_)).toBe(false)
    redis = startRedis(dir)
    await vi.waitFor(async () => expect(await redisAnswers(URL_)).toBe(true), { timeout: 5000, interval: 50 })
    outbox = redisOutbox({ connection: URL_, queue: 'health', logger: log.logger })
    relay = forward({ to: 'http://127.0.0.1:9/webhook', outbox, logger: log.logger, delivery: { pollInterval: 60_000 } })
    const server = express()
    server.use('/admin', adminRouter({ outbox, auth: bearer({ token: ADMIN }), health: { timeout: TIMEOUT } }))
    app = await listen(createServer(server))
  })

  afterAll(async () => {
    await app?.close()
    if (redis.exitCode === null && redis.signalCode === null) {
      await relay?.close()
      await outbox?.close()
      redis.kill('SIGTERM')
      await once(redis, 'exit')
    }
    rmSync(dir, { recursive: true, force: true })
  })

  const health = () => send(app.url, { method: 'GET', path: '/admin/health', headers: { authorization: `Bearer ${ADMIN}` } })

  it('answers 200 with the counts while Redis is up, 503 within its timeout once Redis is down, and 200 again when it is back', async () => {
    await outbox.enqueue({ id: 'evt_1', target: 'http://127.0.0.1:9/webhook', headers: {}, body: Buffer.from('{}') }, Date.now())
    const up = await health()
    expect(up.status).toBe(200)
    expect(up.json()).toMatchObject({ ok: true, reachable: true, pending: 1, dead: 0 })
    expect(await relay.health()).toMatchObject({ ok: true, pending: 1 })

    redis.kill('SIGKILL')
    await once(redis, 'exit')
    const started = performance.now()
    const down = await health()
    const took = performance.now() - started
    console.log(`redis health: 503 ${Math.round(took)} ms after Redis went down (timeout ${TIMEOUT} ms)`)
    // The bound asked for: the health timeout, plus room for a loaded machine.
    expect(took).toBeLessThan(TIMEOUT + 1500)
    expect(down.status).toBe(503)
    expect(down.json()).toMatchObject({ ok: false, reachable: false })
    expect(await relay.health({ timeout: TIMEOUT })).toMatchObject({ ok: false, reachable: false })
    await vi.waitFor(() => expect(log.lines).toContainEqual(expect.objectContaining({ component: 'redisOutbox', msg: 'redis connection error', errorCode: 'ECONNREFUSED' })))

    redis = startRedis(dir)
    await vi.waitFor(async () => expect((await health()).status).toBe(200), { timeout: 15_000, interval: 200 })
  }, 30_000)
})
