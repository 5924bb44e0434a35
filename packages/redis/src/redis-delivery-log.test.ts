import type { Claim } from '@webhook-trigger/core'
import { REDIS_URL, describeDeliveryLogContract, redisForTests } from '@webhook-trigger/testkit'
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisDeliveryLogOptions, redisDeliveryLog } from './index.js'

const T0 = Date.parse('2026-11-28T10:00:00Z')
const PENDING = 60_000
const WINDOW = 24 * 3600 * 1000

const reachable = await redisForTests('the redisDeliveryLog() tests')

describe.skipIf(!reachable)('redisDeliveryLog() against Redis', () => {
  let admin: Redis
  beforeAll(() => {
    admin = new Redis(REDIS_URL)
  })
  afterAll(() => admin.quit())

  /** Deletes every key under a test prefix. */
  async function wipe(prefix: string): Promise<void> {
    const keys = await admin.keys(`${prefix}:*`)
    if (keys.length > 0) await admin.del(...keys)
  }

  /** A log under a prefix of its own; `close()` also deletes its keys. */
  function testLog(prefix = `wt-test:delivery:${randomUUID()}`, options: RedisDeliveryLogOptions = {}) {
    const log = redisDeliveryLog({ connection: REDIS_URL, prefix, ...options })
    return { ...log, prefix, close: () => log.close().then(() => wipe(prefix)) }
  }

  describeDeliveryLogContract('redisDeliveryLog()', () => testLog())

  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const log of open.splice(0)) await log.close()
  })

  it('two connections claiming the same keys at the same time: exactly one hears new for each key', async () => {
    const prefix = `wt-test:delivery:${randomUUID()}`
    const [a, b] = [testLog(prefix), redisDeliveryLog({ connection: REDIS_URL, prefix })]
    open.push(b, a)
    const keys = Array.from({ length: 200 }, (_, i) => `std:t1:evt_${i}`)
    const rounds: Claim[][] = []
    // Each round sends both claims before either answers; who goes first alternates, so both can win.
    for (const [i, key] of keys.entries()) {
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a]
      const [x, y] = await Promise.all([first.claim(key, `h${i}`, PENDING, Date.now()), second.claim(key, `h${i}`, PENDING, Date.now())])
      rounds.push(i % 2 === 0 ? [x, y] : [y, x])
    }
    const wonBy = (who: 0 | 1) => rounds.filter((round) => round[who]!.state === 'new').length
    expect([wonBy(0), wonBy(1)].map((n) => n > 0), 'both connections won keys, or this proved nothing').toEqual([true, true])
    const notOnce = keys.filter((_, i) => rounds[i]!.map((claim) => claim.state).sort().join() !== 'new,pending')
    expect(notOnce, 'keys not answered new exactly once').toEqual([])
  })

  it('stores a delivery as a hash under its prefix, kept by Redis a minute past its own expiry', async () => {
    const log = testLog()
    open.push(log)
    const key = `${log.prefix}:std:t1:evt_1`
    await log.claim('std:t1:evt_1', 'h1', PENDING, T0)
    expect(await admin.hgetall(key)).toEqual({ state: 'pending', hash: 'h1', expires: String(T0 + PENDING) })
    const pending = await admin.pttl(key)
    expect(pending).toBeGreaterThan(PENDING)
    expect(pending).toBeLessThanOrEqual(PENDING + 60_000)
    await log.complete('std:t1:evt_1', 'h1', WINDOW, T0)
    const done = await admin.pttl(key)
    expect(done).toBeGreaterThan(WINDOW)
    expect(done).toBeLessThanOrEqual(WINDOW + 60_000)
    await log.release('std:t1:evt_1')
    expect(await admin.exists(key)).toBe(0)
  })

  it('close() closes the connection it opened', async () => {
    const connectionName = `wt-close-${randomUUID()}`
    const named = async () => String(await admin.client('LIST')).split('\n').filter((line) => line.includes(`name=${connectionName} `))
    const log = testLog(undefined, { connection: { url: REDIS_URL, connectionName } })
    await log.claim('std:t1:evt_1', 'h1', PENDING, T0)
    expect(await named()).toHaveLength(1)
    await log.close()
    expect(await named()).toEqual([])
  })
})

describe('redisDeliveryLog() options', () => {
  it.each([
    [{ connection: 'http://127.0.0.1:6379' }, '"connection" must be a redis:// URL'],
    [{ connection: 'not a url' }, '"connection" must be a redis:// URL'],
    [{ prefix: '' }, '"prefix" must be a non-empty string'],
    [{ onError: 'log' }, '"onError" must be a function'],
    [{ conection: 'redis://127.0.0.1:6379' }, 'unknown option "conection"; did you mean "connection"?'],
    [{ commitTimeout: 0 }, '"commitTimeout" must be a whole number of ms above 0'],
    [{ commitTimeout: 1.5 }, '"commitTimeout" must be a whole number of ms above 0'],
    [{ commitTimeout: 2 ** 31 }, '"commitTimeout" must be a whole number of ms above 0'],
  ])('rejects %j at creation with a TypeError that names the option', (options, text) => {
    const create = () => redisDeliveryLog(options as RedisDeliveryLogOptions)
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`redisDeliveryLog(): ${text}`)
  })
})
