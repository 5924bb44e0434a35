import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REDIS_URL, redisForTests, send, startUpstream, type Upstream } from '@webhook-trigger/testkit'
import { Queue } from 'bullmq'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { freePort, runCli, startCli, stopAll, transcript } from './test/cli-process.js'

const API_TOKEN = 'tok_upstream_SECRET_c0ffee'
const CRM_KEY = 'crm_key_SECRET_51d7'
const ADMIN_TOKEN = 'admin_SECRET_0a9b'
const ENV = { API_TOKEN, CRM_KEY, ADMIN_TOKEN }
const TRANSFORM = `export default (webhook) => ({ event: 'customer_update', data: { id: webhook.payload.contact.id, status: webhook.payload.contact.status } })\n`
const crmEvent = (id: string) => JSON.stringify({ type: 'contact.updated', contact: { id, status: 'active' } })
const upstreams: Upstream[] = []

afterEach(stopAll)
afterAll(async () => {
  for (const upstream of upstreams.splice(0)) await upstream.close()
})

/** A working directory with the transform module; the SQLite outbox goes in it too. */
function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-intermediary-'))
  writeFileSync(join(dir, 'transform.mjs'), TRANSFORM)
  return dir
}

const args = (to: string, ...extra: string[]) => [
  'intermediary', '--host', '127.0.0.1', '--port', '0', '--to', to,
  '--tenant', 'tenant123', '--token-env', 'API_TOKEN', '--inbound-key-env', 'CRM_KEY', '--transform', './transform.mjs',
  '--outbox', 'sqlite:data/outbox.sqlite',
  // Quick retries and leases keep the test short; the defaults are hours and 30 s.
  '--retry-delays', Array(60).fill('200ms').join(','), '--lease', '1s',
  ...extra,
]

const post = (url: string, id: string, key = CRM_KEY) =>
  send(url.replace(/\/webhook$/, ''), { headers: { 'content-type': 'application/json', 'x-api-key': key, 'idempotency-key': id }, body: crmEvent(id) })

describe('intermediary', () => {
  it('answers 202, transforms, and delivers every event with Basic after a SIGKILL and a restart (SQLite)', async () => {
    const dir = workdir()
    const port = await freePort()
    const to = `http://127.0.0.1:${port}/webhook`
    // The upstream is down at first: every event is still in the outbox when the process is killed.
    let intermediary = await startCli(args(to), ENV, dir)
    const ids = ['crm-1', 'crm-2', 'crm-3', 'crm-4', 'crm-5']
    for (const id of ids) expect((await post(intermediary.url, id)).status).toBe(202)
    expect((await post(intermediary.url, 'crm-bad-key', 'not-the-key')).status).toBe(401)
    await intermediary.stop('SIGKILL')

    const upstream = await startUpstream([{ status: 202 }], port)
    upstreams.push(upstream)
    intermediary = await startCli(args(to), ENV, dir)
    await vi.waitFor(() => expect(new Set(upstream.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set(ids)), { timeout: 15_000, interval: 100 })
    for (const received of upstream.received) {
      const id = received.headers['idempotency-key'] as string
      expect(JSON.parse(received.body.toString())).toEqual({ event: 'customer_update', data: { id, status: 'active' } })
      expect(received.headers.authorization).toBe(`Basic ${Buffer.from(`tenant123:${API_TOKEN}`).toString('base64')}`)
      expect(received.headers['x-api-key']).toBeUndefined()
    }
    await vi.waitFor(() => expect(intermediary.stdout().match(/ delivered id=/g)?.length).toBeGreaterThanOrEqual(ids.length))
    expect(await intermediary.stop('SIGTERM')).toBe(0)
  })

  it('delivers through a Redis outbox with --outbox redis://', async (context) => {
    if (!(await redisForTests('the CLI Redis outbox test'))) return context.skip()
    const upstream = await startUpstream([{ status: 202 }])
    upstreams.push(upstream)
    // A queue of its own: the machine's Redis is shared.
    const queue = `cli-test-${process.pid}-${Date.now()}`
    const intermediary = await startCli(args(`${upstream.url}/webhook`).map((arg) => (arg === 'sqlite:data/outbox.sqlite' ? REDIS_URL : arg)).concat('--queue', queue), ENV, workdir())
    try {
      expect((await post(intermediary.url, 'crm-redis-1')).status).toBe(202)
      await vi.waitFor(() => expect(upstream.received.map((r) => r.headers['idempotency-key'])).toEqual(['crm-redis-1']), { timeout: 10_000 })
      expect(await intermediary.stop('SIGTERM')).toBe(0)
    } finally {
      const bull = new Queue(queue, { connection: { url: REDIS_URL } })
      await bull.obliterate({ force: true })
      await bull.close()
    }
  })

  it('mounts the admin API under /admin with its own Bearer token when --admin-token-env is given', async () => {
    const upstream = await startUpstream([{ status: 202 }])
    upstreams.push(upstream)
    const intermediary = await startCli(args(`${upstream.url}/webhook`, '--admin-token-env', 'ADMIN_TOKEN'), ENV, workdir())
    const base = intermediary.url.replace(/\/webhook$/, '')
    expect((await send(base, { method: 'GET', path: '/admin/events?state=dead' })).status).toBe(401)
    const listed = await send(base, { method: 'GET', path: '/admin/events?state=dead', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(listed.status).toBe(200)
  })

  it('says in one line when the transform module cannot be loaded', async () => {
    const result = await runCli(args('http://127.0.0.1:9/webhook').map((arg) => (arg === './transform.mjs' ? './missing.mjs' : arg)), ENV, workdir())
    expect(result.code).toBe(64)
    expect(result.stderr).toMatch(/^error: cannot load --transform \.\/missing\.mjs: [^\n]+\n$/)
  })

  it('no secret was printed by any process of this file', () => {
    expect(transcript()).toContain('delivered id=')
    for (const secret of [API_TOKEN, CRM_KEY, ADMIN_TOKEN]) expect(transcript()).not.toContain(secret)
  })
})
