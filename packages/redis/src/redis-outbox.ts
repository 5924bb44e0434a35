import type { Lease, NewMessage, Outbox, OutboxState, OutboxStats } from '@webhook-trigger/core'
import { ErrorCode, Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq'
import { randomUUID } from 'node:crypto'
import { JOB_NAME, type JobData, type JobRecord, leaseToken, lockOf, readRecord, releasedOf, toJobId, toMessage } from './job-record.js'
import { type RedisOutboxOptions, resolveOptions } from './redis-outbox-options.js'

/** The lock a fetched job gets before it is set to the lease's own length; the deliverer's default lease. */
const YEAR = 365 * 24 * 3600 * 1000

const JOB_OPTIONS = {
  // Every failure takes BullMQ's retry path with the delay the deliverer chose; the deliverer decides what is dead.
  attempts: 2 ** 31 - 1,
  backoff: { type: 'webhook-trigger' },
  removeOnComplete: true,
  removeOnFail: false,
  stackTraceLimit: 0,
} satisfies JobsOptions

const STATES = {
  pending: ['active', 'wait', 'delayed', 'prioritized'],
  dead: ['failed'],
} as const satisfies Record<OutboxState, readonly string[]>

/**
 * Pending and dead counts and the oldest pending job's timestamp, in one
 * script: the counts and the minimum agree with each other, and the job
 * hashes are read inside Redis instead of one round trip each. It reads every
 * pending job's timestamp, so it costs O(pending).
 * KEYS: wait, active (lists), delayed, prioritized, failed (sorted sets). ARGV[1]: the job key prefix.
 */
const STATS = `
local oldest = -1
local pending = 0
local function visit(ids)
  pending = pending + #ids
  for _, id in ipairs(ids) do
    local at = tonumber(redis.call('HGET', ARGV[1] .. id, 'timestamp'))
    if at and (oldest == -1 or at < oldest) then oldest = at end
  end
end
visit(redis.call('LRANGE', KEYS[1], 0, -1))
visit(redis.call('LRANGE', KEYS[2], 0, -1))
visit(redis.call('ZRANGE', KEYS[3], 0, -1))
visit(redis.call('ZRANGE', KEYS[4], 0, -1))
return { pending, redis.call('ZCARD', KEYS[5]), oldest }`

/** A failed attempt to record, and when to try again (ms from now). */
class Retry extends Error {
  constructor(
    record: JobRecord,
    readonly delay: number,
  ) {
    super(JSON.stringify(record))
    this.name = 'Retry'
  }
}

// BullMQ's answer when the lock, the job, or its state is not what a settlement expects: the lease was lost.
const LOST: ReadonlySet<unknown> = new Set([ErrorCode.JobNotExist, ErrorCode.JobLockNotExist, ErrorCode.JobNotInState, ErrorCode.JobLockMismatch])
const lost = (error: unknown): boolean => LOST.has((error as { code?: unknown } | null)?.code)

/**
 * An outbox on a BullMQ queue in Redis, shared by several processes: each event
 * is one job whose id is the event's id, leased by one process at a time. A
 * process that dies holding leases leaves them to the others (or to itself,
 * restarted) once they expire, within `stalledInterval` more.
 *
 * @example
 * import { redisOutbox } from '@webhook-trigger/redis'
 *
 * const relay = forward({ to, auth, outbox: redisOutbox({ connection: process.env.REDIS_URL }) })
 */
export function redisOutbox(options: RedisOutboxOptions = {}): Outbox {
  const { connection, queue: name, prefix, stalledInterval, leaseMs: lockMs, onError } = resolveOptions(options)
  const queue = new Queue<JobData>(name, { connection, prefix })
  // Jobs are fetched by hand (no processor): a lease is a BullMQ lock that nobody renews.
  const worker = new Worker<JobData>(name, null, {
    connection,
    prefix,
    autorun: false,
    lockDuration: lockMs,
    skipLockRenewal: true,
    stalledInterval,
    // An expired lease always goes back in line; it is the deliverer that counts attempts and gives up.
    maxStalledCount: Number.MAX_SAFE_INTEGER,
    settings: { backoffStrategy: (_made, _type, error) => (error instanceof Retry ? Math.max(0, Math.round(error.delay)) : 0) },
  })
  queue.on('error', onError)
  worker.on('error', onError)
  worker.startStalledCheckTimer().catch(onError)

  /** Settles with a job built from what the lease knows, without reading it back. */
  async function settle(lease: Lease, move: (job: Job<Partial<JobData>>, lock: string) => Promise<unknown>, opts: JobsOptions = JOB_OPTIONS) {
    const job = new Job<Partial<JobData>>(worker, JOB_NAME, {}, opts, toJobId(lease.message.id))
    try {
      await move(job, lockOf(lease.token))
      return true
    } catch (error) {
      if (lost(error)) return false
      throw error
    }
  }

  const recordOf = (lease: Lease, released = releasedOf(lease.token)): JobRecord => ({
    error: lease.message.lastError,
    status: lease.message.lastStatus,
    nextAttemptAt: lease.message.nextAttemptAt,
    released,
  })

  async function redeliver(jobId: string): Promise<boolean> {
    try {
      await new Job<Partial<JobData>>(worker, JOB_NAME, {}, JOB_OPTIONS, jobId).retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })
      return true
    } catch (error) {
      if (lost(error)) return false
      throw error
    }
  }

  let statsDefined = false

  return {
    async enqueue(message: NewMessage, now: number) {
      if (message.id === '') throw new TypeError('redisOutbox(): a message needs a non-empty id')
      const jobId = toJobId(message.id)
      const nonce = randomUUID()
      const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('base64')
      await queue.add(JOB_NAME, { target: message.target, headers: { ...message.headers }, body, nonce }, { ...JOB_OPTIONS, jobId, timestamp: now })
      const stored = await (await queue.backend.client).hget(queue.toKey(jobId), 'data')
      // Gone already means delivered in between: the event went out either way.
      return stored === null || (JSON.parse(stored) as JobData).nonce === nonce ? 'queued' : 'duplicate'
    },

    async lease(max, now, leaseMs) {
      const leases: Lease[] = []
      while (leases.length < max) {
        const lock = randomUUID()
        const job: Job<JobData> | undefined = await worker.getNextJob(lock, { block: false })
        if (job === undefined) break
        // Lost already only if the lease is shorter than the round trip; another process has it then.
        if (leaseMs !== lockMs && (await job.extendLock(lock, leaseMs)) !== 1) continue
        const released = readRecord(job.failedReason).released ?? 0
        leases.push({ message: toMessage(job), token: leaseToken(lock, released), until: now + leaseMs })
      }
      return leases
    },

    complete: (lease) => settle(lease, (job, lock) => job.moveToCompleted(null, lock, false)),

    retry: (lease, nextAttemptAt, error, status) =>
      settle(lease, (job, lock) => job.moveToFailed(new Retry({ ...recordOf(lease), error, status, nextAttemptAt }, nextAttemptAt - Date.now()), lock)),

    bury: (lease, error, status) =>
      settle(lease, (job, lock) => job.moveToFailed(new UnrecoverableError(JSON.stringify({ ...recordOf(lease), error, status })), lock)),

    // lifo puts it back at the head of the line, where it was.
    release: (lease) =>
      settle(lease, (job, lock) => job.moveToFailed(new Retry(recordOf(lease, releasedOf(lease.token) + 1), 0), lock), { ...JOB_OPTIONS, lifo: true }),

    async list(state, limit = Infinity) {
      const ids = await queue.getRanges([...STATES[state]], 0, -1, true)
      const client = await queue.backend.client
      const stamps = await Promise.all(ids.map((id) => client.hget(queue.toKey(id), 'timestamp')))
      const oldestFirst = ids
        .map((id, i) => ({ id, at: stamps[i] }))
        .filter((entry): entry is { id: string; at: string } => typeof entry.at === 'string')
        .sort((a, b) => Number(a.at) - Number(b.at))
        .slice(0, limit)
      const jobs = await Promise.all(oldestFirst.map(({ id }) => queue.getJob(id)))
      return jobs.filter((job) => job !== undefined).map(toMessage)
    },

    redeliver: (id) => (id === '' ? Promise.resolve(false) : redeliver(toJobId(id))),

    async redeliverAll() {
      const ids = await queue.getRanges(['failed'], 0, -1, true)
      const done = await Promise.all(ids.map(redeliver))
      return done.filter(Boolean).length
    },

    async stats() {
      const client = await queue.backend.client
      if (!statsDefined) {
        client.defineCommand('webhookTriggerStats', { numberOfKeys: 5, lua: STATS, readOnly: true })
        statsDefined = true
      }
      const keys = ['wait', 'active', 'delayed', 'prioritized', 'failed'].map((type) => queue.toKey(type))
      const [pending, dead, oldest] = (await client.runCommand('webhookTriggerStats', [...keys, queue.toKey('')])) as [number, number, number]
      const stats: OutboxStats = { pending, dead }
      if (oldest >= 0) stats.oldestPendingAt = oldest
      return stats
    },

    async purge(state = 'dead') {
      // A negative grace reaches jobs stamped by a clock slightly ahead of this one.
      const removed = await Promise.all(STATES[state].map((type) => queue.clean(-YEAR, 0, type)))
      return removed.reduce((count, ids) => count + ids.length, 0)
    },

    async close() {
      await worker.close()
      await queue.close()
    },
  }
}
