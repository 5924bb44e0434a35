import type { Logger, Outbox } from '@webhook-trigger/express'
import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
import { redisOutbox } from '@webhook-trigger/redis'

/**
 * The outbox the intermediary keeps its promises in. SQLite by default, so a
 * 202 survives kill -9 and a restart; Redis when several instances share the
 * work (OUTBOX=redis, REDIS_URL, REDIS_QUEUE).
 */
export function outboxFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): Outbox {
  if (env.OUTBOX === 'redis') {
    return redisOutbox({
      connection: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      queue: env.REDIS_QUEUE ?? 'webhook-trigger-intermediary',
      ...(env.REDIS_STALLED_MS && { stalledInterval: Number(env.REDIS_STALLED_MS) }),
      // The same lease the deliverer asks for, so a lease is one atomic step.
      ...(env.LEASE_MS && { leaseMs: Number(env.LEASE_MS) }),
      logger,
    })
  }
  if (env.OUTBOX !== undefined && env.OUTBOX !== 'sqlite') throw new Error(`OUTBOX must be "sqlite" or "redis", got "${env.OUTBOX}"`)
  return sqliteOutbox({ path: env.OUTBOX_PATH ?? 'data/outbox.sqlite', logger })
}
