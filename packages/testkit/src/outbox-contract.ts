import type { NewMessage, Outbox } from '@webhook-trigger/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const T0 = Date.parse('2026-11-28T10:00:00Z')
const LEASE = 30_000

function message(id: string, body: Uint8Array = Buffer.from(`{"event":"e","data":{"n":"${id}"}}`)): NewMessage {
  return { id, target: 'http://127.0.0.1:3000/webhook', headers: { 'content-type': 'application/json', 'idempotency-key': id }, body }
}

/**
 * What every Outbox must do, whatever stores it: the memory outbox here, the
 * durable ones in their own packages. `create` gets a fresh, empty store.
 */
export function describeOutboxContract(name: string, create: () => Promise<Outbox> | Outbox): void {
  describe(`${name}: outbox contract`, () => {
    let outbox: Outbox
    beforeEach(async () => {
      outbox = await create()
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
      await outbox.lease(1, T0, LEASE)
      expect(await outbox.lease(1, T0 + LEASE - 1, LEASE)).toEqual([])
      const [again] = await outbox.lease(1, T0 + LEASE, LEASE)
      expect(again?.message).toMatchObject({ id: 'a', attempts: 2 })
    })

    it('ignores a settlement from a lease that was lost', async () => {
      await outbox.enqueue(message('a'), T0)
      const [stale] = await outbox.lease(1, T0, LEASE)
      const [fresh] = await outbox.lease(1, T0 + LEASE, LEASE)
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
      expect(await outbox.retry(lease!, T0 + 5000, 'upstream answer 503', 503)).toBe(true)
      expect(await outbox.lease(1, T0 + 4999, LEASE)).toEqual([])
      const [next] = await outbox.lease(1, T0 + 5000, LEASE)
      expect(next?.message).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 5000, lastError: 'upstream answer 503', lastStatus: 503 })
    })

    it('keeps a buried message as dead, out of delivery, until redelivered', async () => {
      await outbox.enqueue(message('a'), T0)
      const [lease] = await outbox.lease(1, T0, LEASE)
      await outbox.bury(lease!, 'upstream answer 410', 410)
      expect(await outbox.lease(1, T0 + 10 * LEASE, LEASE)).toEqual([])
      expect(await outbox.list('pending')).toEqual([])
      expect(await outbox.list('dead')).toMatchObject([{ id: 'a', attempts: 1, lastError: 'upstream answer 410', lastStatus: 410 }])
      expect(await outbox.redeliver('a', T0 + 1)).toBe(true)
      expect(await outbox.redeliver('a', T0 + 1)).toBe(false)
      const [again] = await outbox.lease(1, T0 + 1, LEASE)
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
      for (let i = 0; i < 6; i++) await outbox.enqueue(message(`m${i}`), T0 + i)
      const seen: string[] = []
      for (let round = 0; round < 3; round++) {
        const leases = await outbox.lease(2, T0 + 10, LEASE)
        for (const lease of leases) {
          seen.push(lease.message.id)
          // Failing messages go to the back of the line.
          await outbox.retry(lease, T0 + 10, 'x')
        }
      }
      expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5'])
    })

    it('lists oldest first and honours a limit', async () => {
      for (const id of ['a', 'b', 'c']) await outbox.enqueue(message(id), T0)
      expect((await outbox.list('pending', 2)).map((m) => m.id)).toEqual(['a', 'b'])
    })
  })
}
