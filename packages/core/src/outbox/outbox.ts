/** An event waiting to reach its upstream. Holds no credential: they are attached at send time. */
export interface OutboxMessage {
  /** The idempotency key, sent as `Idempotency-Key` on every attempt. */
  id: string
  /** The upstream URL. */
  target: string
  headers: Record<string, string>
  body: Uint8Array
  /** Attempts started so far; counted when leased, so a crash mid-send still counts. */
  attempts: number
  /** Epoch ms. */
  createdAt: number
  /** Epoch ms; when the message may next be leased. */
  nextAttemptAt: number
  lastError?: string
  lastStatus?: number
}

export type NewMessage = Pick<OutboxMessage, 'id' | 'target' | 'headers' | 'body'>

/** A message handed to one worker until `until`; settle it with the same lease. */
export interface Lease {
  message: OutboxMessage
  /** Opaque; a lease that expired and was taken by another worker settles nothing. */
  token: string
  until: number
}

export type OutboxState = 'pending' | 'dead'

/** What health checks and gauges read from an outbox. */
export interface OutboxStats {
  /** Pending events, leased ones included. */
  pending: number
  dead: number
  /** When the oldest pending event was queued, epoch ms; absent when none is pending. */
  oldestPendingAt?: number
}

/**
 * Where queued events wait. Built for a store that can crash between any two
 * calls: a leased message whose worker died is leased again once `until`
 * passes; attempts and the next attempt time live in the store. Every time is
 * an epoch-ms number the caller passes in, so clocks can be injected.
 */
export interface Outbox {
  /** Stores a message due now. `duplicate` when the id is already stored (pending, leased or dead). */
  enqueue(message: NewMessage, now: number): Promise<'queued' | 'duplicate'>
  /** Leases up to `max` due messages (pending and due, or leased and expired), oldest due first; counts an attempt on each. */
  lease(max: number, now: number, leaseMs: number): Promise<Lease[]>
  /** Delivered: forget it. `false` when the lease was lost. */
  complete(lease: Lease): Promise<boolean>
  /** Failed this time: due again at `nextAttemptAt`. */
  retry(lease: Lease, nextAttemptAt: number, error: string, status?: number): Promise<boolean>
  /** Failed for good: keep it as dead, listable and re-deliverable. */
  bury(lease: Lease, error: string, status?: number): Promise<boolean>
  /** Give it back unattempted (shutdown): due at once, the attempt not counted. */
  release(lease: Lease): Promise<boolean>
  /** Messages in `state`, oldest first; leased ones count as pending. */
  list(state: OutboxState, limit?: number): Promise<OutboxMessage[]>
  /** A dead message back to pending, due at `now`, attempts reset. `false` when no such dead message. */
  redeliver(id: string, now: number): Promise<boolean>
  /** Every dead message back to pending; returns how many. */
  redeliverAll(now: number): Promise<number>
  /** Counts of pending and dead events, and the oldest pending one's age, for health checks and gauges. */
  stats(): Promise<OutboxStats>
  /** Deletes messages in `state` (dead by default); returns how many. */
  purge(state?: OutboxState): Promise<number>
  close(): Promise<void>
}
