import { checkOptions } from '@webhook-trigger/client'
import { randomUUID } from 'node:crypto'
import { mergeHeaders } from '../merge-headers.js'
import { DueQueue } from './due-queue.js'
import { activityBuckets, decodeCursor, encodeCursor, failed } from './event-query.js'
import type { Attempt, EventState, Lease, NewMessage, Outbox, OutboxMessage, OutboxStats, StoredEvent } from './outbox.js'
import { RETENTION_KEYS, type RetentionOptions, keepsDelivered, purgeTimer, resolveRetention } from './retention.js'

/**
 * The retention options every store takes; here `maxDelivered` defaults to 1000:
 * a delivered event held in the heap costs about 1.4 KB with a small body.
 */
export type MemoryOutboxOptions = RetentionOptions

interface Entry {
  message: OutboxMessage
  state: EventState
  /** Insertion order, for pages newest first. */
  seq: number
  deliveredAt?: number
  history: Attempt[]
  lease?: { token: string; until: number }
  /** Bumped whenever the due time changes, so older queue entries are ignored. */
  version: number
}

/** A copy callers may change freely; field by field, as object spreads were slow on the intermediary's path (see mergeHeaders). */
function copy(message: OutboxMessage): OutboxMessage {
  const { id, target, headers, body, attempts, createdAt, nextAttemptAt, lastError, lastStatus, event, tenant } = message
  const out: OutboxMessage = { id, target, headers: mergeHeaders(headers), body, attempts, createdAt, nextAttemptAt }
  if (lastError !== undefined) out.lastError = lastError
  if (lastStatus !== undefined) out.lastStatus = lastStatus
  if (event !== undefined) out.event = event
  if (tenant !== undefined) out.tenant = tenant
  return out
}

function stored(entry: Entry, withHistory: boolean): StoredEvent {
  const event: StoredEvent = { ...copy(entry.message), state: entry.state }
  if (entry.deliveredAt !== undefined) event.deliveredAt = entry.deliveredAt
  if (withHistory) event.history = entry.history.map((attempt) => ({ ...attempt }))
  return event
}

/**
 * An outbox in process memory: for tests and for deployments that accept
 * losing queued events on a crash. Use a durable outbox otherwise.
 * Leasing costs O(log n) per message leased, whatever the backlog.
 *
 * @example
 * forward({ to, auth, outbox: memoryOutbox() })
 */
export function memoryOutbox(options: MemoryOutboxOptions = {}): Outbox {
  checkOptions('memoryOutbox()', options, RETENTION_KEYS)
  const retention = resolveRetention(options, 'memoryOutbox()', 1000)
  const keeping = keepsDelivered(retention)
  const entries = new Map<string, Entry>()
  /** Delivered entries, in the order they were delivered. */
  const delivered = new Map<string, Entry>()
  const queue = new DueQueue()
  let seq = 0

  function forget(entry: Entry): void {
    entries.delete(entry.message.id)
    delivered.delete(entry.message.id)
  }

  /** Drops delivered entries past the cap, and those delivered before `cutoff`. */
  function trim(cutoff: number): void {
    for (const entry of delivered.values()) {
      if (delivered.size <= retention.maxDelivered && entry.deliveredAt! >= cutoff) break
      forget(entry)
    }
  }
  const purging = keeping ? purgeTimer(retention.purgeInterval, () => trim(Date.now() - retention.keepDelivered), () => undefined) : undefined

  const record = (entry: Entry, attempt: Attempt | undefined) => {
    if (attempt !== undefined) entry.history.push({ ...attempt })
  }

  /** Due at `at`: the message itself when free, its lease's end when held. */
  function schedule(entry: Entry, at: number): void {
    queue.push(entry.message.id, at, ++entry.version)
  }

  const current = (id: string, version: number) => entries.get(id)?.version === version

  function settle(lease: Lease, apply: (entry: Entry) => void): Promise<boolean> {
    const entry = entries.get(lease.message.id)
    if (entry?.lease?.token !== lease.token) return Promise.resolve(false)
    entry.lease = undefined
    apply(entry)
    // The lease's own entry (due when it would expire, `leaseMs` on) is stale now. At a few
    // thousand events a second and 30 s leases, those would outnumber the live ones 100 to 1.
    if (queue.size > 2 * (entries.size - delivered.size) + 1024) queue.retain(current)
    return Promise.resolve(true)
  }

  function revive(entry: Entry, now: number): void {
    entry.state = 'pending'
    entry.lease = undefined
    entry.message.attempts = 0
    entry.message.nextAttemptAt = now
    schedule(entry, now)
  }

  return {
    enqueue(message: NewMessage, now: number) {
      if (entries.has(message.id)) return Promise.resolve('duplicate' as const)
      const { id, target, headers, body, event, tenant } = message
      const fresh: OutboxMessage = { id, target, headers: mergeHeaders(headers), body, attempts: 0, createdAt: now, nextAttemptAt: now }
      if (event !== undefined) fresh.event = event
      if (tenant !== undefined) fresh.tenant = tenant
      const entry: Entry = { message: fresh, state: 'pending', seq: ++seq, history: [], version: 0 }
      entries.set(message.id, entry)
      schedule(entry, now)
      return Promise.resolve('queued' as const)
    },

    lease(max, now, leaseMs) {
      const leases: Lease[] = []
      while (leases.length < max) {
        const next = queue.popDue(now)
        if (next === undefined) break
        const entry = entries.get(next.id)
        if (entry === undefined || entry.version !== next.version || entry.state !== 'pending') continue
        entry.message.attempts++
        entry.lease = { token: randomUUID(), until: now + leaseMs }
        // Held until the lease ends; then due again, in case its worker died.
        schedule(entry, entry.lease.until)
        leases.push({ message: copy(entry.message), token: entry.lease.token, until: entry.lease.until })
      }
      return Promise.resolve(leases)
    },

    complete: (lease, attempt) =>
      settle(lease, (entry) => {
        if (!keeping) return forget(entry)
        entry.state = 'delivered'
        entry.version++
        entry.deliveredAt = attempt === undefined ? Date.now() : attempt.at + attempt.duration
        record(entry, attempt)
        delivered.set(entry.message.id, entry)
        trim(-Infinity)
      }),

    retry: (lease, nextAttemptAt, error, status, attempt) =>
      settle(lease, (entry) => {
        Object.assign(entry.message, { nextAttemptAt, lastError: error, lastStatus: status })
        record(entry, attempt)
        schedule(entry, nextAttemptAt)
      }),

    bury: (lease, error, status, attempt) =>
      settle(lease, (entry) => {
        entry.state = 'dead'
        entry.version++
        Object.assign(entry.message, { lastError: error, lastStatus: status })
        record(entry, attempt)
      }),

    release: (lease) =>
      settle(lease, (entry) => {
        entry.message.attempts--
        entry.message.nextAttemptAt = lease.message.nextAttemptAt
        schedule(entry, entry.message.nextAttemptAt)
      }),

    list(state, limit = Infinity) {
      const found: OutboxMessage[] = []
      for (const entry of entries.values()) {
        if (found.length >= limit) break
        if (entry.state === state) found.push(copy(entry.message))
      }
      return Promise.resolve(found)
    },

    redeliver(id, now) {
      const entry = entries.get(id)
      if (entry?.state !== 'dead') return Promise.resolve(false)
      revive(entry, now)
      return Promise.resolve(true)
    },

    redeliverAll(now) {
      let count = 0
      for (const entry of entries.values()) {
        if (entry.state === 'dead') {
          revive(entry, now)
          count++
        }
      }
      return Promise.resolve(count)
    },

    stats() {
      const stats: OutboxStats = { pending: 0, dead: 0 }
      for (const { state, message } of entries.values()) {
        if (state === 'delivered') continue
        stats[state]++
        // Insertion order is queue order, and a redelivered message keeps its createdAt: take the minimum.
        if (state === 'pending' && message.createdAt < (stats.oldestPendingAt ?? Infinity)) stats.oldestPendingAt = message.createdAt
      }
      return Promise.resolve(stats)
    },

    purge(state = 'dead') {
      let count = 0
      for (const [id, entry] of entries) {
        if (entry.state === state) {
          entries.delete(id)
          count++
        }
      }
      return Promise.resolve(count)
    },

    find(query) {
      const after = decodeCursor(query.cursor)?.[0] ?? Infinity
      const { from = -Infinity, to = Infinity } = query
      const matches = (entry: Entry) =>
        entry.state === query.state &&
        entry.seq < after &&
        (query.event === undefined || entry.message.event === query.event) &&
        (query.tenant === undefined || entry.message.tenant === query.tenant) &&
        entry.message.createdAt >= from &&
        entry.message.createdAt < to
      const all = [...entries.values()]
      const page: Entry[] = []
      for (let i = all.length - 1; i >= 0 && page.length <= query.limit; i--) if (matches(all[i]!)) page.push(all[i]!)
      const more = page.length > query.limit
      if (more) page.pop()
      const events = page.map((entry) => stored(entry, false))
      return Promise.resolve(more ? { events, next: encodeCursor([page.at(-1)!.seq, '']) } : { events })
    },

    get(id) {
      const entry = entries.get(id)
      return Promise.resolve(entry && stored(entry, true))
    },

    counts() {
      const counts: Record<EventState, number> = { pending: 0, dead: 0, delivered: 0 }
      for (const entry of entries.values()) counts[entry.state]++
      return Promise.resolve(counts)
    },

    activity(since, until, bucket) {
      const { activity, count } = activityBuckets(since, until, bucket)
      for (const entry of entries.values()) {
        count(activity.received, entry.message.createdAt)
        if (entry.deliveredAt !== undefined) count(activity.delivered, entry.deliveredAt)
        for (const attempt of entry.history) if (failed(attempt)) count(activity.failed, attempt.at)
      }
      return Promise.resolve(activity)
    },

    close() {
      purging?.stop()
      return Promise.resolve()
    },
  }
}
