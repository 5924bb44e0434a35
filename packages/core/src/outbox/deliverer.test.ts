import { type Upstream, startUpstream } from '@webhook-trigger/testkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bearer } from '../auth/bearer.js'
import { createForwarder } from '../forward/forwarder.js'
import { STANDARD_SCHEDULE } from '../index.js'
import { type DelivererOptions, type DeliveryEvent, createDeliverer } from './deliverer.js'
import { memoryOutbox } from './memory-outbox.js'
import type { Outbox } from './outbox.js'

const anyNumber: unknown = expect.any(Number)

const T0 = Date.parse('2026-11-28T10:00:00Z')

describe('createDeliverer()', () => {
  let upstream: Upstream
  let clock: number
  let events: DeliveryEvent[]
  let outbox: Outbox
  const cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step()
  })

  async function setUp(script: Parameters<typeof startUpstream>[0], leaseMs = 30_000, retry?: DelivererOptions['retry']) {
    upstream = await startUpstream(script)
    clock = T0
    events = []
    outbox = memoryOutbox()
    const forwarder = createForwarder({ to: `${upstream.url}/webhook`, auth: bearer({ token: 'api_token_abc123' }), retry: false, timeout: 1000 })
    const deliverer = createDeliverer(outbox, forwarder, { now: () => clock, leaseMs, retry, onEvent: (e) => void (e.type !== 'attempt' && events.push(e)) })
    cleanup.push(() => deliverer.close(), () => forwarder.close(), () => upstream.close())
    await outbox.enqueue({ id: 'evt_1', target: upstream.url, headers: { 'content-type': 'application/json', 'idempotency-key': 'evt_1' }, body: Buffer.from('{}') }, clock)
    return { deliverer, forwarder }
  }

  /** Queues event `id` as forward() does, due at the current clock. */
  const enqueue = (id: string) => outbox.enqueue({ id, target: upstream.url, headers: { 'idempotency-key': id }, body: Buffer.from('{}') }, clock)

  /** evt_1 (from setUp) to evt_`total` queued, sent by a deliverer running `concurrency` at once; resolves, once all are delivered, to the most sends seen in flight. */
  async function drainBacklog(total: number, concurrency: number) {
    const { forwarder } = await setUp([{ status: 200, delay: 20 }])
    // Counted around the send itself, not from arrival times: a loaded machine skews those.
    let sending = 0
    let most = 0
    const counted = {
      ...forwarder,
      attempt: async (outgoing: Parameters<typeof forwarder.attempt>[0]) => {
        most = Math.max(most, ++sending)
        try {
          return await forwarder.attempt(outgoing)
        } finally {
          sending--
        }
      },
    }
    const deliverer = createDeliverer(outbox, counted, { concurrency, pollInterval: 60_000, onEvent: (e) => void (e.type !== 'attempt' && events.push(e)) })
    cleanup.unshift(() => deliverer.close())
    for (let i = 2; i <= total; i++) {
      await enqueue(`evt_${i}`)
    }
    deliverer.start()
    deliverer.wake()
    deliverer.wake()
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'delivered')).toHaveLength(total), { timeout: 5000 })
    return most
  }

  it('records each attempt with its start, duration, status or error, and the first KiB of the answer, cut between characters', async () => {
    // 1023 ASCII bytes then 'é' (2 bytes): the 1024-byte cut falls inside it.
    const long = `${'x'.repeat(1023)}é${'y'.repeat(3000)}`
    const { deliverer } = await setUp([{ status: 503, body: long }, 'reset', { status: 200, body: 'ok' }])
    await deliverer.tick()
    clock += 5000
    await deliverer.tick()
    clock += 5 * 60_000
    await deliverer.tick()
    const { history } = (await outbox.get('evt_1'))!
    expect(history).toEqual([
      { at: T0, duration: expect.any(Number) as number, status: 503, response: 'x'.repeat(1023) },
      { at: T0 + 5000, duration: expect.any(Number) as number, error: expect.stringMatching(/^the upstream could not be reached/) as string },
      { at: T0 + 5000 + 5 * 60_000, duration: expect.any(Number) as number, status: 200, response: 'ok' },
    ])
    expect(events.map((e) => e.type)).toEqual(['retrying', 'retrying', 'delivered'])
  })

  it('retries a failure on the Standard Webhooks schedule, then delivers with the same idempotency key', async () => {
    const { deliverer } = await setUp([{ status: 500 }, { status: 200 }])
    expect(await deliverer.tick()).toBe(1)
    expect(events.at(-1)).toEqual({ type: 'retrying', id: 'evt_1', attempts: 1, nextAttemptAt: T0 + 5000, error: 'upstream answer 500', status: 500, durationMs: anyNumber })
    clock += 4999
    expect(await deliverer.tick()).toBe(0)
    clock += 1
    expect(await deliverer.tick()).toBe(1)
    expect(events.at(-1)).toEqual({ type: 'delivered', id: 'evt_1', attempts: 2, status: 200, durationMs: anyNumber })
    expect(upstream.received.map((r) => [r.headers['idempotency-key'], r.headers.authorization])).toEqual([
      ['evt_1', 'Bearer api_token_abc123'],
      ['evt_1', 'Bearer api_token_abc123'],
    ])
    expect(await outbox.list('pending')).toEqual([])
  })

  // The default schedule's delays used to override them: 7 retries from 5 s, whatever was asked.
  it('backs off exponentially, as asked, when retry gives retries or delays of its own but no schedule', async () => {
    const { deliverer } = await setUp([{ status: 503 }], 30_000, { retries: 1, baseDelay: 100, maxDelay: 100, random: () => 0.5 })
    expect(await deliverer.tick()).toBe(1)
    expect(events.at(-1)).toMatchObject({ type: 'retrying', attempts: 1, nextAttemptAt: T0 + 50 })
    clock += 50
    expect(await deliverer.tick()).toBe(1)
    expect(events.at(-1)).toMatchObject({ type: 'dead', attempts: 2 })
  })

  it('keeps the event as dead after the last attempt, never dropping it, and redelivers it on request', async () => {
    const { deliverer } = await setUp([{ status: 503 }])
    for (const delay of [...STANDARD_SCHEDULE, 0]) {
      expect(await deliverer.tick()).toBe(1)
      clock += delay
    }
    expect(upstream.received).toHaveLength(STANDARD_SCHEDULE.length + 1)
    expect(events.at(-1)).toEqual({ type: 'dead', id: 'evt_1', attempts: 8, error: 'upstream answer 503', status: 503, durationMs: anyNumber })
    expect(await outbox.list('dead')).toMatchObject([{ id: 'evt_1', attempts: 8, lastStatus: 503 }])
    clock += 365 * 24 * 3600 * 1000
    expect(await deliverer.tick()).toBe(0)
    expect(await outbox.redeliver('evt_1', clock)).toBe(true)
    expect(await deliverer.tick()).toBe(1)
    expect(events.at(-1)).toMatchObject({ type: 'retrying', attempts: 1 })
  })

  it.each([400, 410, 422])('buries an event the upstream refuses with %i at once', async (status) => {
    const { deliverer } = await setUp([{ status }])
    await deliverer.tick()
    expect(events).toEqual([{ type: 'dead', id: 'evt_1', attempts: 1, error: `upstream answer ${status}`, status, durationMs: anyNumber }])
  })

  it('counts a redirect as a failed attempt and does not follow it', async () => {
    const { deliverer } = await setUp([{ status: 302, headers: { location: 'http://127.0.0.1:1/' } }])
    await deliverer.tick()
    expect(events).toEqual([{ type: 'dead', id: 'evt_1', attempts: 1, error: 'upstream redirect (not followed) 302', status: 302, durationMs: anyNumber }])
  })

  it('waits as long as Retry-After asks, even past the schedule', async () => {
    const { deliverer } = await setUp([{ status: 429, headers: { 'retry-after': '600' } }])
    await deliverer.tick()
    expect(events.at(-1)).toMatchObject({ type: 'retrying', nextAttemptAt: T0 + 600_000 })
  })

  it('picks up a delivery whose worker died once its lease expires', async () => {
    const { deliverer } = await setUp([{ status: 200 }], 30_000)
    // Another worker leased the event, then its process was killed.
    expect(await outbox.lease(1, clock, 30_000)).toHaveLength(1)
    expect(await deliverer.tick()).toBe(0)
    clock += 30_000
    expect(await deliverer.tick()).toBe(1)
    expect(events).toEqual([{ type: 'delivered', id: 'evt_1', attempts: 2, status: 200, durationMs: anyNumber }])
  })

  it('drains a backlog at once, never more than `concurrency` at a time (it used to wait a poll per batch)', async () => {
    expect(await drainBacklog(10, 2)).toBeLessThanOrEqual(2)
  })

  it('wakes in one turn of the event loop share one lease, and none is lost to a lease still in progress', async () => {
    const { forwarder } = await setUp([{ status: 200 }])
    const leased: number[] = []
    const counted: Outbox = { ...outbox, lease: (...args) => outbox.lease(...args).then((taken) => (leased.push(taken.length), taken)) }
    const deliverer = createDeliverer(counted, forwarder, { pollInterval: 60_000, onEvent: (e) => void (e.type !== 'attempt' && events.push(e)) })
    cleanup.unshift(() => deliverer.close())
    deliverer.start()
    // As forward() does for each request answered in one turn: enqueue, then wake.
    for (let i = 2; i <= 8; i++) {
      void enqueue(`evt_${i}`)
      deliverer.wake()
    }
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'delivered')).toHaveLength(8), { timeout: 2000 })
    expect(leased[0]).toBe(8)
  })

  it('runs more than 10 sends at once without a MaxListenersExceededWarning (they share one abort signal)', async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on('warning', onWarning)
    cleanup.push(() => Promise.resolve(process.off('warning', onWarning)))
    expect(await drainBacklog(32, 16)).toBeGreaterThan(10)
    // Node emits warnings on the next tick.
    await new Promise((resolve) => setImmediate(resolve))
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning')
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses concurrency %s at creation instead of never sending', async (concurrency) => {
    const { forwarder } = await setUp([{ status: 200 }])
    expect(() => createDeliverer(outbox, forwarder, { concurrency })).toThrow(/"concurrency" must be a whole number of sends at once, at least 1/)
  })

  it.each([-1, 1.5, Number.NaN])('refuses highWaterMark %s at creation', async (highWaterMark) => {
    const { forwarder } = await setUp([{ status: 200 }])
    expect(() => createDeliverer(outbox, forwarder, { highWaterMark })).toThrow(/"highWaterMark" must be a whole number of events, or Infinity/)
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('refuses maxWait %s at creation (Node would fire a longer timer at once)', async (maxWait) => {
    const { forwarder } = await setUp([{ status: 200 }])
    expect(() => createDeliverer(outbox, forwarder, { maxWait })).toThrow(/"maxWait" must be a number of ms from 0 to 2147483647/)
  })

  /** A started deliverer sending through an upstream that holds every answer; `queued()` as forward() calls it. */
  async function saturated(options: Parameters<typeof createDeliverer>[2]) {
    const { forwarder } = await setUp([{ status: 200, delay: 5000 }])
    const deliverer = createDeliverer(outbox, forwarder, { pollInterval: 60_000, concurrency: 1, ...options })
    cleanup.unshift(() => deliverer.close(0))
    deliverer.start()
    deliverer.wake()
    await vi.waitFor(() => expect(upstream.received).toHaveLength(1))
    let next = 2
    const queue = async () => {
      const id = `evt_${next++}`
      await enqueue(id)
      // Wrapped, or awaiting queue() would wait for the answer's turn.
      return { waiting: deliverer.queued(clock) }
    }
    return { deliverer, queue }
  }

  it('holds answers over the high-water mark no longer than maxWait when nothing is sent', async () => {
    // evt_1 holds the only slot and its answer never comes; evt_2 is over a mark of 0.
    const { queue } = await saturated({ highWaterMark: 0, maxWait: 200 })
    const { waiting } = await queue()
    expect(waiting).toBeInstanceOf(Promise)
    let done = false
    void waiting!.then(() => (done = true))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(done).toBe(false)
    await vi.waitFor(() => expect(done).toBe(true), { timeout: 1000 })
    expect(upstream.received).toHaveLength(1)
  })

  it('counts as sent what another process sharing the outbox sent first (its count used to drift up)', async () => {
    // One slot, held by a slow upstream, so this deliverer's own lease of evt_4 comes back full and no later lease runs.
    const { forwarder } = await setUp([{ status: 200, delay: 5000 }])
    await outbox.lease(1, clock, 60_000) // evt_1: another worker has it.
    const deliverer = createDeliverer(outbox, forwarder, { pollInterval: 60_000, concurrency: 1, highWaterMark: 1, maxWait: 60_000, now: () => clock, onEvent: (e) => void (e.type !== 'attempt' && events.push(e)) })
    cleanup.unshift(() => deliverer.close(0))
    deliverer.start()
    const waiting: Array<Promise<void> | undefined> = []
    for (const id of ['evt_2', 'evt_3', 'evt_4']) {
      clock++
      await enqueue(id)
      waiting.push(deliverer.queued(clock))
    }
    expect(waiting.map((w) => w instanceof Promise)).toEqual([false, true, true])
    // Before this deliverer polls (at the end of the turn), another process sends evt_2 and evt_3; this one then takes evt_4.
    expect(await outbox.lease(2, clock, 60_000)).toHaveLength(2)
    await Promise.all(waiting.filter((w) => w !== undefined))
    // Let through by its lease of evt_4, not by the lease after evt_4's attempt timed out (1 s), which finds nothing due.
    expect(events).toEqual([])
    await vi.waitFor(() => expect(upstream.received.map((r) => r.headers['idempotency-key'])).toEqual(['evt_4']))
  })

  it('never holds an answer back with highWaterMark: Infinity', async () => {
    const { queue } = await saturated({ highWaterMark: Infinity })
    for (let i = 0; i < 3; i++) expect((await queue()).waiting).toBeUndefined()
  })

  it('lets every held answer through on close', async () => {
    const { deliverer, queue } = await saturated({ highWaterMark: 0, maxWait: 60_000 })
    const waiting = [(await queue()).waiting, (await queue()).waiting]
    expect(waiting.every((w) => w instanceof Promise)).toBe(true)
    await deliverer.close(0)
    await Promise.all(waiting as Array<Promise<void>>)
  })

  it('forgets its backlog when a lease finds nothing more due (another process sharing the outbox sent it)', async () => {
    const { forwarder } = await setUp([{ status: 200 }])
    await outbox.lease(1, clock, 60_000) // evt_1: another worker has it.
    const deliverer = createDeliverer(outbox, forwarder, { pollInterval: 60_000, highWaterMark: 1, maxWait: 60_000 })
    cleanup.unshift(() => deliverer.close(0))
    deliverer.start()
    for (const id of ['evt_2', 'evt_3']) {
      await enqueue(id)
    }
    expect(deliverer.queued(clock)).toBeUndefined()
    const waiting = deliverer.queued(clock)
    // Before this deliverer polls (at the end of the turn), the other one leases both.
    expect(await outbox.lease(2, clock, 60_000)).toHaveLength(2)
    await waiting
    expect(upstream.received).toHaveLength(0)
  })

  it('on close, releases unsent what a wake leased after close began (an asynchronous outbox answering late)', async () => {
    const { forwarder } = await setUp([{ status: 200 }])
    let answer!: () => void
    const late = new Promise<void>((resolve) => (answer = resolve))
    const released: string[] = []
    const slow: Outbox = {
      ...outbox,
      lease: async (...args) => (await late, outbox.lease(...args)),
      release: (lease) => (released.push(lease.message.id), outbox.release(lease)),
    }
    const deliverer = createDeliverer(slow, forwarder, { pollInterval: 60_000, onEvent: (e) => void (e.type !== 'attempt' && events.push(e)) })
    deliverer.start()
    deliverer.wake()
    await new Promise((resolve) => setImmediate(resolve))
    const closing = deliverer.close()
    answer()
    await closing
    expect(released).toEqual(['evt_1'])
    expect(upstream.received).toHaveLength(0)
    expect(await outbox.lease(1, clock, 1000)).toHaveLength(1)
  })

  it('on close, lets in-flight sends finish or releases them unattempted', async () => {
    const { deliverer } = await setUp([{ status: 200, delay: 5000 }])
    const sending = deliverer.tick()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await deliverer.close(100)
    await sending
    expect(events).toEqual([])
    expect(await outbox.list('pending')).toMatchObject([{ id: 'evt_1', attempts: 0 }])
    expect(await deliverer.tick()).toBe(0)
  })
})
