import { createServer } from 'node:http'
import { randomUUID } from 'node:crypto'
import { type DeliveryLog, basic, bearer, tenants } from '@webhook-trigger/core'
import { forward as expressForward, webhook as expressWebhook } from '@webhook-trigger/express'
import { forward as koaForward, webhook as koaWebhook } from '@webhook-trigger/koa'
import {
  type GatedUpstream,
  REFERENCE_PAYLOAD,
  type RedisServer,
  type SentAnswer,
  TENANT,
  TOKEN,
  basicAuth,
  listen,
  redisServerForTests,
  startGatedUpstream,
  startRedisServer,
  startSenders,
} from '@webhook-trigger/testkit'
import express5 from 'express5'
import koa3 from 'koa3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { redisDeliveryLog, redisOutbox } from './index.js'

/** Short, so a hung Redis costs the suite little; OUTAGE_COMMIT_TIMEOUT=3000 runs them at the default. */
const COMMIT_TIMEOUT = Number(process.env.OUTAGE_COMMIT_TIMEOUT ?? 1000)
/** What an answer may take beyond the commit timeout on a loaded 2-core machine. */
const SLACK = 3000

const runnable = redisServerForTests('the Redis outage tests')

type Framework = 'express' | 'koa'
type Fault = 'stopped' | 'hung' | 'killed'

interface Running {
  url: string
  close(): Promise<void>
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serve(framework: Framework, mount: { forward?: Parameters<typeof expressForward>[0]; dedupe?: DeliveryLog; handled?: string[] }): Promise<Running & { relay?: { close(): Promise<void> } }> {
  const auth = basic(tenants({ [TENANT]: TOKEN }))
  const handler = (hook: { id: string }) => void mount.handled?.push(hook.id)
  if (framework === 'express') {
    const app = express5()
    const relay = mount.forward && expressForward(mount.forward)
    if (relay) app.use(relay)
    if (mount.dedupe) app.post('/webhook', expressWebhook({ auth, dedupe: { log: mount.dedupe }, handler }))
    return { ...(await listen(createServer(app))), relay }
  }
  const app = new koa3()
  const relay = mount.forward && koaForward(mount.forward)
  if (relay) app.use(relay)
  if (mount.dedupe) app.use(koaWebhook({ auth, dedupe: { log: mount.dedupe }, handler }))
  const handle = app.callback()
  return { ...(await listen(createServer((req, res) => void handle(req, res)))), relay }
}

async function redisOn(port: number): Promise<RedisServer> {
  const redis = await startRedisServer(port)
  cleanups.push(() => redis.close())
  return redis
}

async function upstreamFor(): Promise<GatedUpstream> {
  const upstream = await startGatedUpstream()
  cleanups.push(() => upstream.close())
  return upstream
}

/** Applies `fault` to Redis; resolves to what undoes it. */
async function apply(redis: RedisServer, fault: Fault): Promise<() => Promise<void>> {
  if (fault === 'hung') {
    redis.hang()
    return () => Promise.resolve(redis.resume())
  }
  await (fault === 'stopped' ? redis.stop() : redis.kill())
  return () => redis.start()
}

const request = (id: string) => ({ headers: { 'content-type': 'application/json', 'idempotency-key': id, authorization: basicAuth(TENANT, TOKEN) }, body: REFERENCE_PAYLOAD })

/**
 * Senders keep sending through a fault: some 202s, the fault, some 503s,
 * recovery, some 202s again. Resolves to every answer.
 */
async function throughFault(url: string, redis: RedisServer, fault: Fault): Promise<SentAnswer[]> {
  const senders = startSenders(`${url}/webhook`, { request, pause: 20 })
  try {
    await senders.seen(202, 10)
    senders.phase('fault')
    const recover = await apply(redis, fault)
    // Whatever the fault brings: the assertions then say whether it was the right answer.
    await senders.seen((answer) => answer.status !== 202, 5)
    senders.phase('recovered')
    await recover()
    await senders.seen(202, 10)
  } finally {
    await senders.stop()
  }
  return senders.answers
}

function summary(label: string, answers: SentAnswer[]): void {
  if (process.env.OUTAGE_REPORT === undefined) return
  const counts = new Map<number, number>()
  for (const { status } of answers) counts.set(status, (counts.get(status) ?? 0) + 1)
  const statuses = [...counts].map(([status, count]) => `${status} x${count}`)
  const longest = Math.max(...answers.map((answer) => answer.ms))
  console.log(`${label}: ${statuses.join(' ')}, longest answer ${Math.round(longest)} ms`)
}

/** Every answer a 202 or a 503 problem naming `code`, with Retry-After, in bounded time. */
function expectOnly202And503(answers: SentAnswer[], code: string): void {
  expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([202, 503]))
  for (const refused of answers.filter((answer) => answer.status === 503)) {
    expect(refused).toMatchObject({ contentType: 'application/problem+json', code, retryAfter: '5' })
  }
  expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(COMMIT_TIMEOUT + SLACK)
  // Intake resumed by itself, with no restart of the receiver.
  expect(answers.filter((answer) => answer.phase === 'recovered' && answer.status === 202).length).toBeGreaterThan(0)
}

describe.skipIf(!runnable)('redisOutbox() through Redis outages', () => {
  const cases: Array<[Framework, Fault, number]> = [
    ['express', 'stopped', 6390],
    ['express', 'hung', 6391],
    ['express', 'killed', 6392],
    ['koa', 'hung', 6393],
  ]
  it.each(cases)('%s: Redis %s, then back: only 202 or a prompt 503, and every 202 is delivered', async (framework, fault, port) => {
    const redis = await redisOn(port)
    const upstream = await upstreamFor()
    const outbox = redisOutbox({ connection: redis.url, queue: `outage-${randomUUID()}`, commitTimeout: COMMIT_TIMEOUT, stalledInterval: 500, leaseMs: 2000, onError: () => undefined })
    const server = await serve(framework, {
      forward: {
        to: `${upstream.url}/webhook`,
        auth: bearer({ token: 'api_token_abc123' }),
        outbox,
        delivery: { pollInterval: 50, leaseMs: 2000, retry: { delays: Array<number>(1000).fill(100) } },
      },
    })
    cleanups.push(() => outbox.close(), () => server.relay!.close(), () => server.close())
    // Deliveries stay pending in Redis across the fault.
    upstream.shut()
    const answers = await throughFault(server.url, redis, fault)
    upstream.open()
    summary(`${framework}, Redis ${fault}`, answers)
    expectOnly202And503(answers, 'outbox.unavailable')
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.id)
    // Bounded generously: under a loaded CI machine the restarted Redis, its reconnect and the retries share two cores.
    await vi.waitFor(() => expect(accepted.filter((id) => !upstream.delivered.has(id))).toEqual([]), { timeout: 30_000, interval: 100 })
  }, 60_000)

  it('express: Redis not up yet when the intermediary starts: 503 until it is, then 202, and every 202 is delivered', async () => {
    const redis = await redisOn(6399)
    await redis.stop()
    const upstream = await upstreamFor()
    const outbox = redisOutbox({ connection: redis.url, queue: `outage-${randomUUID()}`, commitTimeout: COMMIT_TIMEOUT, onError: () => undefined })
    const server = await serve('express', { forward: { to: `${upstream.url}/webhook`, auth: bearer({ token: 'x' }), outbox, delivery: { pollInterval: 50 } } })
    cleanups.push(() => outbox.close(), () => server.relay!.close(), () => server.close())
    const senders = startSenders(`${server.url}/webhook`, { request, pause: 20 })
    try {
      await senders.seen((answer) => answer.status !== 202, 3)
      senders.phase('recovered')
      await redis.start()
      await senders.seen(202, 10)
    } finally {
      await senders.stop()
    }
    summary('express, Redis not up at start', senders.answers)
    expectOnly202And503(senders.answers, 'outbox.unavailable')
    const accepted = senders.accepted()
    await vi.waitFor(() => expect(accepted.filter((id) => !upstream.delivered.has(id))).toEqual([]), { timeout: 15_000, interval: 100 })
  }, 30_000)

  it.each(['stopped', 'hung'] as const)('relay.close() and outbox.close() finish within their bound while Redis is %s', async (fault) => {
    const redis = await redisOn(fault === 'stopped' ? 6394 : 6395)
    const upstream = await upstreamFor()
    const outbox = redisOutbox({ connection: redis.url, queue: `outage-${randomUUID()}`, commitTimeout: COMMIT_TIMEOUT, onError: () => undefined })
    const server = await serve('express', { forward: { to: `${upstream.url}/webhook`, auth: bearer({ token: 'x' }), outbox, delivery: { pollInterval: 50 } } })
    cleanups.push(() => server.close())
    upstream.shut()
    const senders = startSenders(`${server.url}/webhook`, { request })
    await senders.seen(202, 10)
    await senders.stop()
    await apply(redis, fault)
    let started = performance.now()
    await server.relay!.close()
    const relayMs = performance.now() - started
    started = performance.now()
    await outbox.close()
    const outboxMs = performance.now() - started
    if (process.env.OUTAGE_REPORT !== undefined) console.log(`close while Redis ${fault}: relay ${Math.round(relayMs)} ms, outbox ${Math.round(outboxMs)} ms`)
    // The deliverer waits for a lease, then for the settlements of its sends: two calls at most.
    expect(relayMs).toBeLessThan(2 * COMMIT_TIMEOUT + SLACK)
    expect(outboxMs).toBeLessThan(COMMIT_TIMEOUT + SLACK)
  }, 30_000)
})

describe.skipIf(!runnable)('redisDeliveryLog() through Redis outages: webhook() fails closed', () => {
  const cases: Array<[Framework, Fault, number]> = [
    ['express', 'killed', 6396],
    ['express', 'hung', 6397],
    ['koa', 'stopped', 6398],
  ]
  it.each(cases)('%s: Redis %s: 503 log.unavailable, never a 500, and each accepted delivery handled exactly once', async (framework, fault, port) => {
    const redis = await redisOn(port)
    const log = redisDeliveryLog({ connection: redis.url, commitTimeout: COMMIT_TIMEOUT, onError: () => undefined })
    const handled: string[] = []
    const server = await serve(framework, { dedupe: log, handled })
    cleanups.push(() => log.close(), () => server.close())
    const answers = await throughFault(server.url, redis, fault)
    summary(`${framework} dedupe, Redis ${fault}`, answers)
    expectOnly202And503(answers, 'log.unavailable')
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.id)
    expect(handled.toSorted()).toEqual(accepted.toSorted())
  }, 50_000)
})
