import type { Attempt, Lease, NewMessage, Outbox, RetentionOptions } from '@webhook-trigger/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const VIRTUAL_T0 = Date.parse('2026-11-28T10:00:00Z')

export interface OutboxContractOptions {
  /**
   * Whose clock decides when a message is due.
   * `virtual`: the store honours every `now` it is given, so the suite jumps through
   * time (memory, SQLite). `real`: the store keeps time itself (BullMQ's locks and
   * delays run on the Redis and process clocks), so the suite passes `Date.now()`
   * and waits for real.
   * @default 'virtual'
   */
  clock?: 'virtual' | 'real'
  /**
   * Lease length given to `lease()`, in ms; keep it short on a real clock.
   * @default 30000 with the virtual clock, 500 with the real one
   */
  lease?: number
  /**
   * Real clock only: how long past a lease's `until`, or a retry's due time, the
   * store may take to offer the message again (an expiry sweep, a promotion), in
   * ms. A message not offered by then fails the test.
   * @default 3000
   */
  latency?: number
}

/** How the suite moves through time: jumps on a virtual clock, waits on a real one. */
interface Clock {
  readonly lease: number
  /** How far ahead a retry is scheduled. */
  readonly retryDelay: number
  /** The time a test starts at. */
  start(): number
  /** The `now` to pass for a step meant to happen at `t`. */
  at(t: number): Promise<number>
  /** A `now` long after `t`: any lease taken at `t` has expired and been swept. */
  past(t: number): Promise<number>
  /** Leases up to `max` once `due` has come; a store that offers anything before `due` fails. */
  leaseWhenDue(outbox: Outbox, due: number, max?: number): Promise<Lease[]>
}

function virtualClock(lease: number): Clock {
  return {
    lease,
    retryDelay: 5000,
    start: () => VIRTUAL_T0,
    at: (t) => Promise.resolve(t),
    past: (t) => Promise.resolve(t + 10 * lease),
    async leaseWhenDue(outbox, due, max = 1) {
      expect(await outbox.lease(max, due - 1, lease)).toEqual([])
      return outbox.lease(max, due, lease)
    },
  }
}

function realClock(lease: number, latency: number): Clock {
  const until = async (t: number): Promise<number> => {
    const wait = t - Date.now()
    if (wait > 0) await sleep(wait)
    return Date.now()
  }
  return {
    lease,
    retryDelay: lease,
    start: () => Date.now(),
    at: until,
    past: (t) => until(t + lease + latency),
    async leaseWhenDue(outbox, due, max = 1) {
      // The first look comes right after the step that set `due`, well before it.
      for (;;) {
        const leases = await outbox.lease(max, Date.now(), lease)
        const answeredAt = Date.now()
        if (leases.length > 0) {
          expect(answeredAt, 'offered before it was due').toBeGreaterThanOrEqual(due)
          return leases
        }
        if (answeredAt > due + latency) throw new Error(`nothing was offered within ${latency} ms after it was due`)
        await sleep(20)
      }
    },
  }
}

function message(id: string, body: Uint8Array = Buffer.from(`{"event":"e","data":{"n":"${id}"}}`)): NewMessage {
  return { id, target: 'http://127.0.0.1:3000/webhook', headers: { 'content-type': 'application/json', 'idempotency-key': id }, body }
}

const labelled = (id: string, event: string, tenant: string): NewMessage => ({ ...message(id), event, tenant })

/**
 * What every Outbox must do, whatever stores it: the memory outbox here, the
 * durable ones in their own packages. `create` gets a fresh, empty store, with
 * the retention options a test needs passed on to the factory.
 *
 * @example
 * describeOutboxContract('sqliteOutbox()', (retention) => sqliteOutbox({ path: ':memory:', ...retention }))
 * describeOutboxContract('redisOutbox()', (retention) => redisOutbox({ queue: unique(), ...retention }), { clock: 'real', lease: 500 })
 */
export function describeOutboxContract(
  name: string,
  create: (retention?: RetentionOptions) => Promise<Outbox> | Outbox,
  options: OutboxContractOptions = {},
): void {
  const clock =
    options.clock === 'real' ? realClock(options.lease ?? 500, options.latency ?? 3000) : virtualClock(options.lease ?? 30_000)
  const LEASE = clock.lease

  describe(`${name}: outbox contract`, () => {
    let outbox: Outbox
    let T0: number
    beforeEach(async () => {
      outbox = await create()
      T0 = clock.start()
    })
    afterEach(() => outbox.close())

    it('stores a message due at once and leases it with its first attempt counted', async () => {
      expect(await outbox.enqueue(message('a'), T0)).toBe('queued')
      const [lease] = await outbox.lease(10, T0, LEASE)
      expect(lease).toMatchObject({ until: T0 + LEASE, message: { id: 'a', attempts: 1, createdAt: T0, nextAttemptAt: T0 } })
      expect(lease!.message.headers).toEqual(message('a').headers)
      expect(Buffer.from(lease!.message.body).toString()).toBe(Buffer.from(message('a').body).toString())
    })

    it('keeps the body bytes exactly, invalid UTF-8 included', async () => {
      const bytes = Buffer.from([0x7b, 0xff, 0x00, 0xc3, 0x28, 0x7d])
      await outbox.enqueue(message('bin', bytes), T0)
      const [lease] = await outbox.lease(1, T0, LEASE)
      expect(Buffer.from(lease!.message.body).equals(bytes)).toBe(true)
    })

    it('answers duplicate for an id it already holds, in any state', async () => {
      await outbox.enqueue(message('a'), T0)
      expect(await outbox.enqueue(message('a'), T0)).toBe('duplicate')
      const [lease] = await outbox.lease(1, T0, LEASE)
      expect(await outbox.enqueue(message('a'), T0)).toBe('duplicate')
      await outbox.bury(lease!, 'gone')
      expect(await outbox.enqueue(message('a'), T0)).toBe('duplicate')
      expect(await outbox.list('dead')).toHaveLength(1)
    })

    it('does not lease a held message again until its lease expires (a worker that died)', async () => {
      await outbox.enqueue(message('a'), T0)
      const [first] = await outbox.lease(1, T0, LEASE)
      expect(first!.until).toBe(T0 + LEASE)
      const [again] = await clock.leaseWhenDue(outbox, first!.until)
      expect(again?.message).toMatchObject({ id: 'a', attempts: 2 })
    })

    it('ignores a settlement from a lease that was lost', async () => {
      await outbox.enqueue(message('a'), T0)
      const [stale] = await outbox.lease(1, T0, LEASE)
      const [fresh] = await clock.leaseWhenDue(outbox, stale!.until)
      expect(await outbox.complete(stale!)).toBe(false)
      expect(await outbox.retry(stale!, T0, 'x')).toBe(false)
      expect(await outbox.bury(stale!, 'x')).toBe(false)
      expect(await outbox.list('pending')).toHaveLength(1)
      expect(await outbox.complete(fresh!)).toBe(true)
      expect(await outbox.list('pending')).toHaveLength(0)
    })

    it('schedules a retry and records the failure', async () => {
      await outbox.enqueue(message('a'), T0)
      const [lease] = await outbox.lease(1, T0, LEASE)
      const due = (await clock.at(T0)) + clock.retryDelay
      expect(await outbox.retry(lease!, due, 'upstream answer 503', 503)).toBe(true)
      const [next] = await clock.leaseWhenDue(outbox, due)
      expect(next?.message).toMatchObject({ attempts: 2, nextAttemptAt: due, lastError: 'upstream answer 503', lastStatus: 503 })
    })

    it('keeps a buried message as dead, out of delivery, until redelivered', async () => {
      await outbox.enqueue(message('a'), T0)
      const [lease] = await outbox.lease(1, T0, LEASE)
      await outbox.bury(lease!, 'upstream answer 410', 410)
      expect(await outbox.lease(1, await clock.past(T0), LEASE)).toEqual([])
      expect(await outbox.list('pending')).toEqual([])
      expect(await outbox.list('dead')).toMatchObject([{ id: 'a', attempts: 1, lastError: 'upstream answer 410', lastStatus: 410 }])
      const later = await clock.at(T0 + 1)
      expect(await outbox.redeliver('a', later)).toBe(true)
      expect(await outbox.redeliver('a', later)).toBe(false)
      const [again] = await outbox.lease(1, later, LEASE)
      expect(again?.message).toMatchObject({ id: 'a', attempts: 1 })
    })

    it('redelivers every dead message, and purges', async () => {
      for (const id of ['a', 'b', 'c']) await outbox.enqueue(message(id), T0)
      for (const lease of await outbox.lease(3, T0, LEASE)) await outbox.bury(lease, 'x')
      expect(await outbox.redeliverAll(T0)).toBe(3)
      expect(await outbox.list('pending')).toHaveLength(3)
      for (const lease of await outbox.lease(2, T0, LEASE)) await outbox.bury(lease, 'x')
      expect(await outbox.purge('dead')).toBe(2)
      expect(await outbox.list('dead')).toEqual([])
      expect(await outbox.purge('pending')).toBe(1)
      expect(await outbox.list('pending')).toEqual([])
    })

    it('gives a released message back due at once, the attempt not counted', async () => {
      await outbox.enqueue(message('a'), T0)
      const [lease] = await outbox.lease(1, T0, LEASE)
      expect(await outbox.release(lease!)).toBe(true)
      const [again] = await outbox.lease(1, T0, LEASE)
      expect(again?.message.attempts).toBe(1)
    })

    it('leases the oldest due first and starves nobody', async () => {
      for (let i = 0; i < 6; i++) await outbox.enqueue(message(`m${i}`), await clock.at(T0 + i))
      const now = await clock.at(T0 + 10)
      const seen: string[] = []
      for (let round = 0; round < 3; round++) {
        const leases = await outbox.lease(2, now, LEASE)
        for (const lease of leases) {
          seen.push(lease.message.id)
          // Failing messages go to the back of the line.
          await outbox.retry(lease, now, 'x')
        }
      }
      expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5'])
    })

    it('counts pending events (leased and retrying ones too) and dead ones, and knows when the oldest pending was queued', async () => {
      expect(await outbox.stats()).toEqual({ pending: 0, dead: 0 })
      await outbox.enqueue(message('dead'), T0)
      const queued = await clock.at(T0 + 1)
      for (const id of ['retrying', 'held', 'waiting']) await outbox.enqueue(message(id), queued)
      const [dead, retrying, held] = await outbox.lease(3, queued, LEASE)
      await outbox.bury(dead!, 'x')
      await outbox.retry(retrying!, queued + 60_000, 'x')
      expect(await outbox.stats()).toEqual({ pending: 3, dead: 1, oldestPendingAt: queued })
      await outbox.complete(held!)
      await outbox.complete((await outbox.lease(1, queued, LEASE))[0]!)
      expect(await outbox.stats()).toEqual({ pending: 1, dead: 1, oldestPendingAt: queued })
    })

    it('lists oldest first and honours a limit', async () => {
      for (const id of ['a', 'b', 'c']) await outbox.enqueue(message(id), T0)
      expect((await outbox.list('pending', 2)).map((m) => m.id)).toEqual(['a', 'b'])
    })

    describe('history', () => {
      const attempt = (at: number, fields: Partial<Attempt>): Attempt => ({ at, duration: 12, ...fields })

      it('records every attempt (time, duration, status or error, the answer) and keeps them across a redelivery', async () => {
        await outbox.enqueue(labelled('a', 'order.created', 'acme'), T0)
        const [first] = await outbox.lease(1, T0, LEASE)
        const failedOnce = attempt(T0, { status: 503, response: 'try later' })
        const due = (await clock.at(T0)) + clock.retryDelay
        expect(await outbox.retry(first!, due, 'upstream answer 503', 503, failedOnce)).toBe(true)
        const [second] = await clock.leaseWhenDue(outbox, due)
        const timedOut = attempt(due, { error: 'the upstream did not answer in time' })
        expect(await outbox.bury(second!, 'the upstream did not answer in time', undefined, timedOut)).toBe(true)
        expect(await outbox.get('a')).toMatchObject({ id: 'a', state: 'dead', attempts: 2, event: 'order.created', tenant: 'acme', history: [failedOnce, timedOut] })

        const later = await clock.at(due + 1)
        await outbox.redeliver('a', later)
        const [third] = await outbox.lease(1, later, LEASE)
        const ok = attempt(later, { status: 200, response: '{"ok":true}' })
        expect(await outbox.complete(third!, ok)).toBe(true)
        const delivered = await outbox.get('a')
        expect(delivered).toMatchObject({ state: 'delivered', history: [failedOnce, timedOut, ok] })
        expect(delivered!.deliveredAt).toBeGreaterThanOrEqual(later)
        expect(await outbox.get('nothing')).toBeUndefined()
      })

      it('keeps a delivered event out of delivery, listed as delivered, its id a duplicate', async () => {
        await outbox.enqueue(message('a'), T0)
        const [lease] = await outbox.lease(1, T0, LEASE)
        await outbox.complete(lease!, attempt(T0, { status: 204 }))
        expect(await outbox.lease(1, await clock.past(T0), LEASE)).toEqual([])
        expect(await outbox.list('pending')).toEqual([])
        expect((await outbox.find({ state: 'delivered', limit: 10 })).events).toMatchObject([{ id: 'a', state: 'delivered', attempts: 1 }])
        expect(await outbox.enqueue(message('a'), T0)).toBe('duplicate')
        expect(await outbox.counts()).toEqual({ pending: 0, dead: 0, delivered: 1 })
      })

      it('finds events by state, event name, tenant and time of receipt, newest first, a page at a time', async () => {
        const labels = [
          ['e0', 'order.created', 'acme'],
          ['e1', 'order.paid', 'acme'],
          ['e2', 'order.created', 'globex'],
          ['e3', 'order.created', 'acme'],
          ['e4', 'order.paid', 'globex'],
        ] as const
        const times: number[] = []
        for (const [i, [id, event, tenant]] of labels.entries()) {
          times.push(await clock.at(T0 + 10 * i))
          await outbox.enqueue(labelled(id, event, tenant), times[i]!)
        }
        const ids = (page: { events: Array<{ id: string }> }) => page.events.map((e) => e.id)
        const first = await outbox.find({ state: 'pending', limit: 2 })
        expect(ids(first)).toEqual(['e4', 'e3'])
        expect(typeof first.next).toBe('string')
        const second = await outbox.find({ state: 'pending', limit: 2, cursor: first.next! })
        expect(ids(second)).toEqual(['e2', 'e1'])
        const last = await outbox.find({ state: 'pending', limit: 2, cursor: second.next! })
        expect(ids(last)).toEqual(['e0'])
        expect(last.next).toBeUndefined()
        expect(ids(await outbox.find({ state: 'pending', limit: 10, event: 'order.created' }))).toEqual(['e3', 'e2', 'e0'])
        expect(ids(await outbox.find({ state: 'pending', limit: 10, event: 'order.created', tenant: 'acme' }))).toEqual(['e3', 'e0'])
        expect(ids(await outbox.find({ state: 'pending', limit: 10, from: times[1]!, to: times[3]! }))).toEqual(['e2', 'e1'])
        const page = await outbox.find({ state: 'pending', limit: 1, tenant: 'globex' })
        expect(ids(page)).toEqual(['e4'])
        expect(ids(await outbox.find({ state: 'pending', limit: 1, tenant: 'globex', cursor: page.next! }))).toEqual(['e2'])
        expect((await outbox.find({ state: 'dead', limit: 10 })).events).toEqual([])
        expect(await outbox.counts()).toEqual({ pending: 5, dead: 0, delivered: 0 })
      })

      it('counts what was received, delivered and failed in each bucket of time', async () => {
        for (const id of ['a', 'b', 'c']) await outbox.enqueue(message(id), T0)
        const [a, b, c] = await outbox.lease(3, T0, LEASE)
        await outbox.complete(a!, attempt(T0, { status: 200 }))
        await outbox.retry(b!, (await clock.at(T0)) + 60_000, 'upstream answer 500', 500, attempt(T0, { status: 500 }))
        await outbox.bury(c!, 'x', undefined, attempt(T0, { error: 'the upstream could not be reached (ECONNREFUSED)' }))
        const minute = 60_000
        const activity = await outbox.activity(T0 - minute, T0 + minute, minute)
        expect(activity).toEqual({ since: T0 - minute, bucket: minute, received: [0, 3], delivered: [0, 1], failed: [0, 2] })
      })
    })
  })

  describe(`${name}: retention of delivered events`, () => {
    const open: Outbox[] = []
    afterEach(async () => {
      for (const outbox of open.splice(0)) await outbox.close()
    })
    async function deliver(outbox: Outbox, ids: string[]): Promise<void> {
      const T0 = clock.start()
      for (const id of ids) await outbox.enqueue(message(id), await clock.at(T0))
      for (const lease of await outbox.lease(ids.length, await clock.at(T0), clock.lease)) {
        await outbox.complete(lease, { at: await clock.at(T0), duration: 1, status: 200 })
      }
    }
    const delivered = async (outbox: Outbox) => (await outbox.find({ state: 'delivered', limit: 100 })).events.map((e) => e.id).sort()

    it('keeps at most maxDelivered, the most recent, purging in the background', async () => {
      const outbox = await create({ maxDelivered: 2, keepDelivered: 365 * 24 * 3600 * 1000, purgeInterval: 20 })
      open.push(outbox)
      await deliver(outbox, ['a', 'b', 'c'])
      await vi.waitFor(async () => expect(await delivered(outbox)).toEqual(['b', 'c']), { timeout: 5000, interval: 50 })
    })

    it('purges delivered events older than keepDelivered, with their attempts', async () => {
      const outbox = await create({ keepDelivered: 1000, purgeInterval: 20 })
      open.push(outbox)
      await deliver(outbox, ['a'])
      await vi.waitFor(async () => expect(await outbox.get('a')).toBeUndefined(), { timeout: 5000, interval: 50 })
      expect(await outbox.counts()).toEqual({ pending: 0, dead: 0, delivered: 0 })
    })

    it('keeps no delivered event when maxDelivered is 0', async () => {
      const outbox = await create({ maxDelivered: 0 })
      open.push(outbox)
      await deliver(outbox, ['a'])
      expect(await outbox.get('a')).toBeUndefined()
      expect(await delivered(outbox)).toEqual([])
    })
  })
}
