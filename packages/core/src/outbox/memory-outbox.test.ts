import { describeOutboxContract } from '@webhook-trigger/testkit'
import { describe, expect, it, vi } from 'vitest'
import { DueQueue } from './due-queue.js'
import { memoryOutbox } from './memory-outbox.js'

describeOutboxContract('memoryOutbox()', (retention) => memoryOutbox(retention))

describe('memoryOutbox()', () => {
  it('does not keep an entry per delivered event until its lease would have expired', async () => {
    // The outbox's queue is the `this` of its first push.
    const push = vi.spyOn(DueQueue.prototype, 'push')
    const outbox = memoryOutbox()
    for (let i = 0; i < 5000; i++) {
      await outbox.enqueue({ id: `evt_${i}`, target: 'http://127.0.0.1:1/', headers: {}, body: Buffer.from('{}') }, i)
      const [lease] = await outbox.lease(1, i, 30_000)
      expect(await outbox.complete(lease!)).toBe(true)
    }
    const queue = push.mock.contexts[0] as DueQueue
    push.mockRestore()
    expect(queue.size).toBeLessThan(2000)
  })

  it('keeps the 1000 most recent delivered events by default, so the heap holds a bounded history', async () => {
    const outbox = memoryOutbox()
    for (let i = 0; i < 1001; i++) {
      await outbox.enqueue({ id: `evt_${i}`, target: 'http://127.0.0.1:1/', headers: {}, body: Buffer.from('{}') }, i)
      const [lease] = await outbox.lease(1, i, 30_000)
      await outbox.complete(lease!, { at: Date.now(), duration: 1, status: 200 })
    }
    expect(await outbox.counts()).toEqual({ pending: 0, dead: 0, delivered: 1000 })
    expect(await outbox.get('evt_0')).toBeUndefined()
    expect(await outbox.get('evt_1')).toMatchObject({ state: 'delivered' })
    await outbox.close()
  })

  it.each([
    [{ keepDelivered: -1 }, '"keepDelivered" must be a whole number of ms'],
    [{ keepDelivered: 1.5 }, '"keepDelivered" must be a whole number of ms'],
    [{ maxDelivered: Infinity }, '"maxDelivered" must be a whole number of events'],
    [{ purgeInterval: 0 }, '"purgeInterval" must be a whole number of ms from 1'],
    [{ purgeInterval: 2 ** 31 }, '"purgeInterval" must be a whole number of ms from 1'],
    [{ keepDelivred: 1000 }, 'unknown option "keepDelivred"; did you mean "keepDelivered"?'],
  ])('refuses retention options %j at creation, naming the option', (options, message) => {
    expect(() => memoryOutbox(options as never)).toThrow(TypeError)
    expect(() => memoryOutbox(options as never)).toThrow(message)
  })
})
