import { randomUUID } from 'node:crypto'
import { mergeHeaders } from '../merge-headers.js'
import { DueQueue } from './due-queue.js'
import type { Lease, NewMessage, Outbox, OutboxMessage, OutboxState, OutboxStats } from './outbox.js'

interface Entry {
  message: OutboxMessage
  state: OutboxState
  lease?: { token: string; until: number }
  /** Bumped whenever the due time changes, so older queue entries are ignored. */
  version: number
}

/** A copy callers may change freely; field by field, as object spreads were slow on the intermediary's path (see mergeHeaders). */
function copy(message: OutboxMessage): OutboxMessage {
  const { id, target, headers, body, attempts, createdAt, nextAttemptAt, lastError, lastStatus } = message
  const out: OutboxMessage = { id, target, headers: mergeHeaders(headers), body, attempts, createdAt, nextAttemptAt }
  if (lastError !== undefined) out.lastError = lastError
  if (lastStatus !== undefined) out.lastStatus = lastStatus
  return out
}

/**
 * An outbox in process memory: for tests and for deployments that accept
 * losing queued events on a crash. Use a durable outbox otherwise.
 * Leasing costs O(log n) per message leased, whatever the backlog.
 *
 * @example
 * forward({ to, auth, outbox: memoryOutbox() })
 */
export function memoryOutbox(): Outbox {
  const entries = new Map<string, Entry>()
  const queue = new DueQueue()

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
    if (queue.size > 2 * entries.size + 1024) queue.retain(current)
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
      const { id, target, headers, body } = message
      const stored: OutboxMessage = { id, target, headers: mergeHeaders(headers), body, attempts: 0, createdAt: now, nextAttemptAt: now }
      const entry: Entry = { message: stored, state: 'pending', version: 0 }
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

    complete: (lease) => settle(lease, (entry) => entries.delete(entry.message.id)),

    retry: (lease, nextAttemptAt, error, status) =>
      settle(lease, (entry) => {
        Object.assign(entry.message, { nextAttemptAt, lastError: error, lastStatus: status })
        schedule(entry, nextAttemptAt)
      }),

    bury: (lease, error, status) =>
      settle(lease, (entry) => {
        entry.state = 'dead'
        entry.version++
        Object.assign(entry.message, { lastError: error, lastStatus: status })
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

    close: () => Promise.resolve(),
  }
}
