import type { Outbox } from '@webhook-trigger/express'
import type * as Redis from '@webhook-trigger/redis'
import { UsageError } from './usage-error.js'

/**
 * Opens the outbox `--outbox` names: `sqlite:<path>` (the default, one
 * process, survives kill -9), or a `redis://` URL (several instances share
 * the work). Each store is imported only when used, and Redis only if
 * @webhook-trigger/redis is installed.
 */
export async function openOutbox(store: string, queue: string, leaseMs: number | undefined): Promise<Outbox> {
  if (store.startsWith('sqlite:')) {
    const path = store.slice('sqlite:'.length)
    if (path === '') throw new UsageError('--outbox sqlite:<path> needs a file path, e.g. sqlite:data/outbox.sqlite')
    const { sqliteOutbox } = await import('@webhook-trigger/outbox-sqlite')
    return sqliteOutbox({ path })
  }
  if (store.startsWith('redis://') || store.startsWith('rediss://')) {
    let redis: typeof Redis
    try {
      redis = await import('@webhook-trigger/redis')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error
      throw new UsageError('--outbox redis://... needs @webhook-trigger/redis: npm install -D @webhook-trigger/redis')
    }
    return redis.redisOutbox({ connection: store, queue, ...(leaseMs !== undefined && { leaseMs }) })
  }
  throw new UsageError('--outbox must be sqlite:<path> or a redis:// URL')
}
