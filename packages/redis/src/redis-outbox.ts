import {
  type Attempt,
  type EventState,
  type Lease,
  type NewMessage,
  type Outbox,
  type OutboxStats,
  type StoredEvent,
  activityBuckets,
  decodeCursor,
  encodeCursor,
  failed,
  keepsDelivered,
  purgeTimer,
} from '@webhook-trigger/core'
import { ErrorCode, Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq'
import { randomUUID } from 'node:crypto'
import { HISTORY_FIELD, appendAttempt, readHistory, scoredSince } from './attempt-history.js'
import { JOB_NAME, type JobData, type JobRecord, leaseToken, lockOf, readRecord, releasedOf, toJobId, toMessage } from './job-record.js'
import { type RedisOutboxOptions, resolveOptions } from './redis-outbox-options.js'
import { settledWithin, within } from './within.js'

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
  delivered: ['completed'],
} as const satisfies Record<EventState, readonly string[]>

/** Jobs read per round trip while a filtered page fills. */
const PAGE_READ = 200

/** A job as a stored event in `state`, without its history. */
function eventOf(job: Job<JobData>, state: EventState): StoredEvent {
  const event: StoredEvent = { ...toMessage(job), state }
  if (state === 'delivered' && job.finishedOn !== undefined) event.deliveredAt = job.finishedOn
  return event
}

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
  const { connection, queue: name, prefix, stalledInterval, leaseMs: lockMs, commitTimeout, onError, retention } = resolveOptions(options)
  const keeping = keepsDelivered(retention)
  // BullMQ trims completed jobs by count and age in the same script that completes one; the timer catches up on age when none completes.
  const jobOptions: JobsOptions = {
    ...JOB_OPTIONS,
    removeOnComplete: keeping ? { age: Math.ceil(retention.keepDelivered / 1000), count: retention.maxDelivered } : true,
  }
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
  const purging = keeping ? purgeTimer(retention.purgeInterval, () => queue.clean(retention.keepDelivered, 0, 'completed'), (error) => onError(error as Error)) : undefined
  const client = () => queue.backend.client

  /** Records the attempt first: one made under a lease that turns out lost was still made. */
  async function record(lease: Lease, attempt: Attempt | undefined): Promise<void> {
    if (attempt !== undefined) await appendAttempt(await client(), queue.toKey(toJobId(lease.message.id)), attempt)
  }

  /** Settles with a job built from what the lease knows, without reading it back. */
  async function settle(lease: Lease, move: (job: Job<Partial<JobData>>, lock: string) => Promise<unknown>, opts: JobsOptions = jobOptions) {
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
      await new Job<Partial<JobData>>(worker, JOB_NAME, {}, jobOptions, jobId).retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })
      return true
    } catch (error) {
      if (lost(error)) return false
      throw error
    }
  }

  /** The next due job, locked for `leaseMs`; undefined when none is due, null when its lock was lost already. */
  async function leaseOne(now: number, leaseMs: number): Promise<Lease | undefined | null> {
    const lock = randomUUID()
    const job: Job<JobData> | undefined = await worker.getNextJob(lock, { block: false })
    if (job === undefined) return undefined
    // Lost already only if the lease is shorter than the round trip; another process has it then.
    if (leaseMs !== lockMs && (await job.extendLock(lock, leaseMs)) !== 1) return null
    const released = readRecord(job.failedReason).released ?? 0
    return { message: toMessage(job), token: leaseToken(lock, released), until: now + leaseMs }
  }

  let statsDefined = false

  /** Closes gracefully if Redis answers in time; then drops whatever connection is left, so nothing reconnects. */
  async function close(): Promise<void> {
    purging?.stop()
    await settledWithin(
      (async () => {
        await worker.close()
        await queue.close()
      })(),
      commitTimeout,
    )
    for (const { connection } of [worker.backend, queue.backend]) connection.client.then((client) => client.disconnect(), () => undefined)
    const blocking = worker.backend.blockingConnection
    blocking?.client.then((client) => client.disconnect(), () => undefined)
  }

  const outbox: Outbox = {
    async enqueue(message: NewMessage, now: number) {
      if (message.id === '') throw new TypeError('redisOutbox(): a message needs a non-empty id')
      const jobId = toJobId(message.id)
      const nonce = randomUUID()
      const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('base64')
      const data: JobData = { target: message.target, headers: { ...message.headers }, body, nonce }
      if (message.event !== undefined) data.event = message.event
      if (message.tenant !== undefined) data.tenant = message.tenant
      await queue.add(JOB_NAME, data, { ...jobOptions, jobId, timestamp: now })
      const stored = await (await queue.backend.client).hget(queue.toKey(jobId), 'data')
      // Gone already means delivered in between: the event went out either way.
      return stored === null || (JSON.parse(stored) as JobData).nonce === nonce ? 'queued' : 'duplicate'
    },

    async lease(max, now, leaseMs) {
      // The first connection is awaited here, bounded, not inside a fetch: a fetch queued behind it would run once
      // Redis is up, and lock jobs for a lease whose call timed out long before.
      await within(worker.backend.connection.client, commitTimeout, 'redisOutbox() lease')
      const first = await leaseOne(now, leaseMs)
      if (first === undefined) return []
      // One was due, so more may be: the rest are fetched at once, each its own script, in one round trip.
      const rest = max > 1 ? await Promise.all(Array.from({ length: max - 1 }, () => leaseOne(now, leaseMs))) : []
      return [first, ...rest].filter((lease): lease is Lease => lease !== undefined && lease !== null)
    },

    async complete(lease, attempt) {
      const move = (job: Job<Partial<JobData>>, lock: string) => job.moveToCompleted(null, lock, false)
      if (!keeping || attempt === undefined) return settle(lease, move)
      // The attempt and the completion go out back to back on the worker's connection, which Redis
      // runs in order: the attempt is still recorded first, without a round trip of its own.
      const recording = appendAttempt(await worker.backend.client, queue.toKey(toJobId(lease.message.id)), attempt)
      const completed = settle(lease, move)
      const [recorded] = await Promise.allSettled([recording, completed])
      if (recorded.status === 'rejected') throw recorded.reason
      return completed
    },

    async retry(lease, nextAttemptAt, error, status, attempt) {
      await record(lease, attempt)
      return settle(lease, (job, lock) => job.moveToFailed(new Retry({ ...recordOf(lease), error, status, nextAttemptAt }, nextAttemptAt - Date.now()), lock))
    },

    async bury(lease, error, status, attempt) {
      await record(lease, attempt)
      return settle(lease, (job, lock) => job.moveToFailed(new UnrecoverableError(JSON.stringify({ ...recordOf(lease), error, status })), lock))
    },

    // lifo puts it back at the head of the line, where it was.
    release: (lease) =>
      settle(lease, (job, lock) => job.moveToFailed(new Retry(recordOf(lease, releasedOf(lease.token) + 1), 0), lock), { ...jobOptions, lifo: true }),

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

    async find(query) {
      const { from = -Infinity, to = Infinity } = query
      const after = decodeCursor(query.cursor)
      const ids = await queue.getRanges([...STATES[query.state]], 0, -1, true)
      const redis = await client()
      const stamps = await Promise.all(ids.map((id) => redis.hget(queue.toKey(id), 'timestamp')))
      // Newest first; the job id breaks ties, and a cursor is the (timestamp, id) where the page before ended.
      const order = ids
        .map((id, i) => ({ id, at: Number(stamps[i] ?? NaN) }))
        .filter(({ id, at }) => at >= from && at < to && (after === undefined || at < after[0] || (at === after[0] && id < after[1])))
        .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      const page: Array<{ id: string; at: number; event: StoredEvent }> = []
      for (let i = 0; i < order.length && page.length <= query.limit; i += PAGE_READ) {
        const slice = order.slice(i, i + PAGE_READ)
        const jobs = await Promise.all(slice.map(({ id }) => queue.getJob(id)))
        for (const [j, job] of jobs.entries()) {
          if (job === undefined || page.length > query.limit) continue
          const event = eventOf(job, query.state)
          if ((query.event === undefined || event.event === query.event) && (query.tenant === undefined || event.tenant === query.tenant)) page.push({ ...slice[j]!, event })
        }
      }
      const more = page.length > query.limit
      if (more) page.pop()
      const events = page.map((entry) => entry.event)
      return more ? { events, next: encodeCursor([page.at(-1)!.at, page.at(-1)!.id]) } : { events }
    },

    async get(id) {
      if (id === '') return undefined
      const jobId = toJobId(id)
      const job = await queue.getJob(jobId)
      if (job === undefined) return undefined
      const state = await job.getState()
      const found = Object.entries(STATES).find(([, types]) => (types as readonly string[]).includes(state))
      if (found === undefined) return undefined
      const history = readHistory(await (await client()).hget(queue.toKey(jobId), HISTORY_FIELD))
      return { ...eventOf(job, found[0] as EventState), history }
    },

    async counts() {
      const counts = await queue.getJobCounts(...STATES.pending, ...STATES.dead, ...STATES.delivered)
      const sum = (state: EventState) => STATES[state].reduce((total, type) => total + (counts[type] ?? 0), 0)
      return { pending: sum('pending'), dead: sum('dead'), delivered: sum('delivered') }
    },

    async activity(since, until, bucket) {
      const { activity, count } = activityBuckets(since, until, bucket)
      const redis = await client()
      // Finished jobs are scored by when they finished: any touched since `since` finished after it, or is pending still.
      const [pending, finished] = await Promise.all([
        queue.getRanges([...STATES.pending], 0, -1, true),
        Promise.all(['completed', 'failed'].map((type) => scoredSince(redis, queue.toKey(type), since))),
      ])
      const ids = [...new Set([...pending, ...finished.flat()])]
      const fields = await Promise.all(ids.map((id) => redis.hmget(queue.toKey(id), 'timestamp', 'finishedOn', HISTORY_FIELD)))
      const delivered = new Set(finished[0])
      for (const [i, [timestamp, finishedOn, history]] of fields.entries()) {
        if (timestamp !== null) count(activity.received, Number(timestamp))
        if (finishedOn !== null && delivered.has(ids[i]!)) count(activity.delivered, Number(finishedOn))
        for (const attempt of readHistory(history)) if (failed(attempt)) count(activity.failed, attempt.at)
      }
      return activity
    },

    close,
  }

  // What answers a sender (enqueue) and what the deliverer waits on, each bounded: a lease taken
  // after its call timed out is nobody's and goes back in line once it expires, like a crashed
  // process' lease.
  const bounded = <R>(what: string, work: Promise<R>): Promise<R> => within(work, commitTimeout, `redisOutbox() ${what}`)
  return {
    ...outbox,
    enqueue: (message, now) => bounded('enqueue', outbox.enqueue(message, now)),
    lease: (max, now, leaseMs) => bounded('lease', outbox.lease(max, now, leaseMs)),
    complete: (lease, attempt) => bounded('complete', outbox.complete(lease, attempt)),
    retry: (lease, nextAttemptAt, error, status, attempt) => bounded('retry', outbox.retry(lease, nextAttemptAt, error, status, attempt)),
    bury: (lease, error, status, attempt) => bounded('bury', outbox.bury(lease, error, status, attempt)),
    release: (lease) => bounded('release', outbox.release(lease)),
  }
}
