import { randomUUID } from 'node:crypto'
import type { Lease, NewMessage, Outbox, OutboxMessage, OutboxState } from './outbox.js'

interface Entry {
  message: OutboxMessage
  state: OutboxState
  lease?: { token: string; until: number }
}

/**
 * An outbox in process memory: for tests and for deployments that accept
 * losing queued events on a crash. Use a durable outbox otherwise.
 *
 * @example
 * forward({ to, auth, outbox: memoryOutbox() })
 */
export function memoryOutbox(): Outbox {
  const entries = new Map<string, Entry>()
  const copy = (message: OutboxMessage): OutboxMessage => ({ ...message, headers: { ...message.headers } })

  function settle(lease: Lease, apply: (entry: Entry) => void): Promise<boolean> {
    const entry = entries.get(lease.message.id)
    if (entry?.lease?.token !== lease.token) return Promise.resolve(false)
    entry.lease = undefined
    apply(entry)
    return Promise.resolve(true)
  }

  const due = (entry: Entry, now: number): boolean =>
    entry.state === 'pending' && (entry.lease === undefined ? entry.message.nextAttemptAt <= now : entry.lease.until <= now)

  return {
    enqueue(message: NewMessage, now: number) {
      if (entries.has(message.id)) return Promise.resolve('duplicate' as const)
      const stored: OutboxMessage = { ...message, headers: { ...message.headers }, attempts: 0, createdAt: now, nextAttemptAt: now }
      entries.set(message.id, { message: stored, state: 'pending' })
      return Promise.resolve('queued' as const)
    },

    lease(max, now, leaseMs) {
      const ready = [...entries.values()].filter((entry) => due(entry, now))
      ready.sort((a, b) => dueAt(a) - dueAt(b))
      return Promise.resolve(
        ready.slice(0, max).map((entry) => {
          entry.message.attempts++
          entry.lease = { token: randomUUID(), until: now + leaseMs }
          return { message: copy(entry.message), ...entry.lease }
        }),
      )
    },

    complete: (lease) => settle(lease, (entry) => entries.delete(entry.message.id)),

    retry: (lease, nextAttemptAt, error, status) =>
      settle(lease, (entry) => Object.assign(entry.message, { nextAttemptAt, lastError: error, lastStatus: status })),

    bury: (lease, error, status) =>
      settle(lease, (entry) => {
        entry.state = 'dead'
        Object.assign(entry.message, { lastError: error, lastStatus: status })
      }),

    release: (lease) =>
      settle(lease, (entry) => {
        entry.message.attempts--
        entry.message.nextAttemptAt = lease.message.nextAttemptAt
      }),

    list(state, limit = Infinity) {
      const found = [...entries.values()].filter((entry) => entry.state === state).map((entry) => copy(entry.message))
      return Promise.resolve(found.slice(0, limit))
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

function dueAt(entry: Entry): number {
  return entry.lease?.until ?? entry.message.nextAttemptAt
}

function revive(entry: Entry, now: number): void {
  entry.state = 'pending'
  entry.lease = undefined
  entry.message.attempts = 0
  entry.message.nextAttemptAt = now
}
