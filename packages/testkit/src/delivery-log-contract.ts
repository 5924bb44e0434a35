import type { DeliveryLog } from '@webhook-trigger/core'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const T0 = Date.parse('2026-11-28T10:00:00Z')
const PENDING = 60_000
const WINDOW = 24 * 3600 * 1000

/** A SHA-256 hex digest, as the tracker stores for a body. */
const sha = (body: string): string => createHash('sha256').update(body).digest('hex')
const A = sha('{"n":1}')
const B = sha('{"n":2}')

/** A log under test; durable ones also close a connection or a file. */
export type ContractDeliveryLog = DeliveryLog & { close?(): Promise<void> }

/**
 * What every DeliveryLog must do, whatever stores it: the memory log here, the
 * durable ones in their own packages. `create` gets a fresh, empty log. Time is
 * virtual: the suite jumps through it with the `now` it passes, so a store must
 * decide expiry by the `now` it is given, never by its own clock.
 *
 * @example
 * describeDeliveryLogContract('memoryDeliveryLog()', memoryDeliveryLog)
 * describeDeliveryLogContract('sqliteDeliveryLog()', () => sqliteDeliveryLog({ path: ':memory:' }))
 */
export function describeDeliveryLogContract(name: string, create: () => ContractDeliveryLog | Promise<ContractDeliveryLog>): void {
  describe(`${name}: delivery log contract`, () => {
    let log: ContractDeliveryLog
    beforeEach(async () => {
      log = await create()
    })
    afterEach(() => log.close?.())

    it('claim() answers new for a key it never saw', async () => {
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0)).toEqual({ state: 'new' })
    })

    it('claim() answers pending with the first claim\'s hash while that claim is unsettled', async () => {
      await log.claim('std:t1:evt_1', A, PENDING, T0)
      expect(await log.claim('std:t1:evt_1', B, PENDING, T0 + 1)).toEqual({ state: 'pending', hash: A })
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + PENDING - 1)).toEqual({ state: 'pending', hash: A })
    })

    it('claim() answers new again once pendingMs has passed unsettled (a crashed handler), and keeps the new hash', async () => {
      await log.claim('std:t1:evt_1', A, PENDING, T0)
      expect(await log.claim('std:t1:evt_1', B, PENDING, T0 + PENDING)).toEqual({ state: 'new' })
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + PENDING + 1)).toEqual({ state: 'pending', hash: B })
    })

    it('complete() makes the key done with its hash until windowMs has passed, and a done answer does not extend it', async () => {
      await log.claim('std:t1:evt_1', A, PENDING, T0)
      await log.complete('std:t1:evt_1', A, WINDOW, T0 + 10)
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + 11)).toEqual({ state: 'done', hash: A })
      expect(await log.claim('std:t1:evt_1', B, PENDING, T0 + 10 + WINDOW - 1)).toEqual({ state: 'done', hash: A })
      expect(await log.claim('std:t1:evt_1', B, PENDING, T0 + 10 + WINDOW)).toEqual({ state: 'new' })
    })

    it('complete() holds for its own windowMs, also when that ends before the claim would have', async () => {
      await log.claim('std:t1:evt_1', A, PENDING, T0)
      await log.complete('std:t1:evt_1', A, 1000, T0)
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + 999)).toEqual({ state: 'done', hash: A })
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + 1000)).toEqual({ state: 'new' })
    })

    it('complete() records a delivery whose claim had already expired (a handler slower than pendingMs)', async () => {
      await log.claim('std:t1:evt_1', A, PENDING, T0)
      await log.complete('std:t1:evt_1', A, WINDOW, T0 + PENDING + 5)
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + PENDING + 6)).toEqual({ state: 'done', hash: A })
    })

    it('release() forgets a claim, so the sender\'s retry is new', async () => {
      await log.claim('std:t1:evt_1', A, PENDING, T0)
      await log.release('std:t1:evt_1')
      expect(await log.claim('std:t1:evt_1', B, PENDING, T0 + 1)).toEqual({ state: 'new' })
      expect(await log.claim('std:t1:evt_1', A, PENDING, T0 + 2)).toEqual({ state: 'pending', hash: B })
    })

    it('release() of a key it never saw does nothing', async () => {
      await expect(log.release('std:t1:unknown')).resolves.toBeUndefined()
      expect(await log.claim('std:t1:unknown', A, PENDING, T0)).toEqual({ state: 'new' })
    })

    it('keeps keys apart, also keys that share a prefix or hold spaces and non-ASCII', async () => {
      const keys = ['std:t1:evt_1', 'std:t1:evt_1:x', 'std:t2:evt_1', 'gh:t1:évt 1/ü', 'std:t1:evt_']
      for (const key of keys) expect(await log.claim(key, A, PENDING, T0)).toEqual({ state: 'new' })
      await log.complete(keys[0]!, A, WINDOW, T0)
      await log.release(keys[1]!)
      expect(await log.claim(keys[0]!, B, PENDING, T0 + 1)).toEqual({ state: 'done', hash: A })
      expect(await log.claim(keys[1]!, B, PENDING, T0 + 1)).toEqual({ state: 'new' })
      for (const key of keys.slice(2)) expect(await log.claim(key, B, PENDING, T0 + 1)).toEqual({ state: 'pending', hash: A })
    })

    it('claim() answers new to exactly one of many simultaneous claims on one key, and the others see its hash', async () => {
      const hashes = Array.from({ length: 20 }, (_, i) => sha(`{"n":${i}}`))
      const claims = await Promise.all(hashes.map((hash) => log.claim('std:t1:evt_race', hash, PENDING, T0)))
      const winners = claims.flatMap((claim, i) => (claim.state === 'new' ? [hashes[i]] : []))
      expect(winners).toHaveLength(1)
      for (const claim of claims.filter((c) => c.state !== 'new')) expect(claim).toEqual({ state: 'pending', hash: winners[0] })
    })
  })
}
