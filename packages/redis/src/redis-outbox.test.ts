import { type DeliveryEvent, type Lease, type NewMessage, type Outbox, bearer, createDeliverer, createForwarder } from '@webhook-trigger/core'
import { REDIS_URL, describeOutboxContract, redisForTests, startUpstream } from '@webhook-trigger/testkit'
import { Queue } from 'bullmq'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { type RedisOutboxOptions, redisOutbox } from './index.js'

const PREFIX = 'wt-test'
const LEASE = 500
const SWEEP = 100

const reachable = await redisForTests('the redisOutbox() tests')

/** Deletes every key of a test queue. */
async function obliterate(queue: string): Promise<void> {
  const q = new Queue(queue, { connection: { url: REDIS_URL }, prefix: PREFIX })
  await q.obliterate({ force: true })
  await q.close()
}

/** An outbox on a queue of its own, with a short sweep; `close()` also deletes the queue. */
function testOutbox(queue = `q-${randomUUID()}`, options: RedisOutboxOptions = {}): Outbox {
  const outbox = redisOutbox({ connection: REDIS_URL, prefix: PREFIX, queue, stalledInterval: SWEEP, leaseMs: LEASE, ...options })
  return { ...outbox, close: () => outbox.close().then(() => obliterate(queue)) }
}

function message(id: string): NewMessage {
  return { id, target: 'http://127.0.0.1:3000/webhook', headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"n":"${id}"}`) }
}

const ids = (leases: Lease[]) => leases.map((lease) => lease.message.id)

describe.skipIf(!reachable)('redisOutbox() against Redis', () => {
  describeOutboxContract('redisOutbox()', (retention) => testOutbox(undefined, retention), { clock: 'real', lease: LEASE, latency: 1500 })

  const open: Outbox[] = []
  afterEach(async () => {
    for (const outbox of open.splice(0).reverse()) await outbox.close()
  })

  /** Two outboxes with their own connections on one queue: two intermediary processes. */
  function twoProcesses(): [Outbox, Outbox] {
    const queue = `q-${randomUUID()}`
    const a = redisOutbox({ connection: REDIS_URL, prefix: PREFIX, queue, stalledInterval: SWEEP })
    const b = testOutbox(queue)
    open.push(b, a)
    return [a, b]
  }

  it('two outboxes sharing one queue never hold the same message at once', async () => {
    const [a, b] = twoProcesses()
    const all = Array.from({ length: 30 }, (_, i) => `evt_${i}`)
    for (const [i, id] of all.entries()) await (i % 2 === 0 ? a : b).enqueue(message(id), Date.now())
    const byA = await a.lease(5, Date.now(), 10_000)
    const byB = await b.lease(5, Date.now(), 10_000)
    expect(ids(byA)).toEqual(all.slice(0, 5))
    expect(ids(byB)).toEqual(all.slice(5, 10))
    // Both at once, as two processes polling together.
    const rounds = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).lease(2, Date.now(), 10_000)))
    const held = [byA, byB, ...rounds].flat()
    expect(ids(held).sort()).toEqual([...all].sort())
    for (const [i, leases] of [byA, byB, ...rounds].entries()) {
      for (const lease of leases) expect(await (i % 2 === 0 ? a : b).complete(lease)).toBe(true)
    }
    expect(await b.list('pending')).toEqual([])
  })

  it('a process that dies holding leases leaves them to another once they expire', async () => {
    const [a, b] = twoProcesses()
    for (const id of ['evt_1', 'evt_2', 'evt_3']) await a.enqueue(message(id), Date.now())
    const held = await a.lease(3, Date.now(), LEASE)
    await a.close()
    expect(await b.lease(3, Date.now(), LEASE)).toEqual([])
    let taken: Lease[] = []
    while (taken.length < 3 && Date.now() < held[0]!.until + 2000) {
      taken = [...taken, ...(await b.lease(3, Date.now(), 10_000))]
      if (taken.length > 0) expect(Date.now()).toBeGreaterThanOrEqual(held[0]!.until)
      await sleep(20)
    }
    expect(taken.map((lease) => [lease.message.id, lease.message.attempts]).sort()).toEqual([
      ['evt_1', 2],
      ['evt_2', 2],
      ['evt_3', 2],
    ])
    expect(await b.complete(held[0]!)).toBe(false)
  })

  it('a restarted deliverer sends what its predecessor had leased when it died, once the lease expires', async () => {
    const [before, after] = twoProcesses()
    const upstream = await startUpstream([{ status: 200 }])
    const forwarder = createForwarder({ to: `${upstream.url}/webhook`, auth: bearer({ token: 'api_token_abc123' }), retry: false, timeout: 1000 })
    const events: DeliveryEvent[] = []
    const deliverer = createDeliverer(after, forwarder, { leaseMs: LEASE, onEvent: (event) => void (event.type !== 'attempt' && events.push(event)) })
    try {
      const body = Buffer.from([0x7b, 0xff, 0x7d])
      await before.enqueue({ ...message('evt_1'), headers: { 'idempotency-key': 'evt_1' }, body }, Date.now())
      const [held] = await before.lease(1, Date.now(), LEASE)
      await before.close() // dies mid-send
      while (events.length === 0 && Date.now() < held!.until + 2000) {
        await deliverer.tick()
        await sleep(20)
      }
      expect(events).toEqual([{ type: 'delivered', id: 'evt_1', attempts: 2, status: 200, durationMs: expect.any(Number) as unknown }])
      expect(upstream.received).toHaveLength(1)
      expect(upstream.received[0]!.body.equals(body)).toBe(true)
      expect(upstream.received[0]!.headers['idempotency-key']).toBe('evt_1')
      expect(upstream.received[0]!.at).toBeGreaterThanOrEqual(held!.until)
    } finally {
      await deliverer.close()
      await forwarder.close()
      await upstream.close()
    }
  })

  it('maps ids BullMQ refuses (integers, colons) to job ids that round-trip without colliding', async () => {
    const outbox = testOutbox()
    open.push(outbox)
    const tricky = ['123', '-5', '%31', 'a:b:c', 'tenant:evt_1', '1e3']
    for (const id of tricky) expect(await outbox.enqueue(message(id), Date.now())).toBe('queued')
    for (const id of tricky) expect(await outbox.enqueue(message(id), Date.now())).toBe('duplicate')
    expect((await outbox.list('pending')).map((m) => m.id)).toEqual(tricky)
    const leases = await outbox.lease(10, Date.now(), 10_000)
    for (const lease of leases) await outbox.bury(lease, 'x')
    expect(await outbox.redeliver('123', Date.now())).toBe(true)
    expect(await outbox.redeliver('124', Date.now())).toBe(false)
  })

  it('close() closes every connection it opened', async () => {
    const queue = `q-${randomUUID()}`
    const connectionName = `wt-close-${randomUUID()}`
    const observer = new Queue(queue, { connection: { url: REDIS_URL }, prefix: PREFIX })
    const named = async () => (await (await observer.backend.client).clientList()).split('\n').filter((line) => line.includes(`name=${connectionName} `))
    const outbox = redisOutbox({ connection: { url: REDIS_URL, connectionName }, prefix: PREFIX, queue })
    await outbox.enqueue(message('evt_1'), Date.now())
    await outbox.lease(1, Date.now(), 10_000)
    expect((await named()).length).toBeGreaterThan(0)
    await outbox.close()
    expect(await named()).toEqual([])
    await observer.obliterate({ force: true })
    await observer.close()
  })
})

describe('redisOutbox() options', () => {
  it.each([
    [{ connection: 'http://127.0.0.1:6379' }, '"connection" must be a redis:// URL'],
    [{ queue: 'a:b' }, `"queue" must be a non-empty name without ':'`],
    [{ prefix: '' }, `"prefix" must be a non-empty name without ':'`],
    [{ stalledInterval: 0 }, '"stalledInterval" must be a whole number of ms above 0'],
    [{ queu: 'x' }, 'unknown option "queu"; did you mean "queue"?'],
    [{ commitTimeout: 0 }, '"commitTimeout" must be a whole number of ms above 0'],
    [{ commitTimeout: '3s' }, '"commitTimeout" must be a whole number of ms above 0'],
    [{ commitTimeout: 2 ** 31 }, '"commitTimeout" must be a whole number of ms above 0'],
  ])('rejects %j at creation with a TypeError that names the option', (options, text) => {
    const create = () => redisOutbox(options as never)
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`redisOutbox(): ${text}`)
  })
})
