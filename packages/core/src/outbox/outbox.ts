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
  /** The verified webhook's event name, kept to filter on. */
  event?: string
  /** The verified webhook's tenant, kept to filter on. */
  tenant?: string
}

export type NewMessage = Pick<OutboxMessage, 'id' | 'target' | 'headers' | 'body' | 'event' | 'tenant'>

/** One delivery attempt as the deliverer saw it. Carries no credential. */
export interface Attempt {
  /** Epoch ms the send began. */
  at: number
  /** From the send to the answer (or the failure), in ms. */
  duration: number
  /** The upstream's status, when it answered. */
  status?: number
  /** Why there was no answer, e.g. `the upstream could not be reached (ECONNREFUSED)`. */
  error?: string
  /** The first KiB of the upstream's answer, as UTF-8 text. */
  response?: string
}

/** Where an event is: waiting (or retrying), given up on, or delivered and kept for a while. */
export type EventState = OutboxState | 'delivered'

/** A stored event as the admin sees it. */
export interface StoredEvent extends OutboxMessage {
  state: EventState
  /** Epoch ms; delivered events only. */
  deliveredAt?: number
  /** Every attempt on record, oldest first; filled by `get()` only. */
  history?: Attempt[]
}

/** Which events to list; times are epoch ms of when the event was received. */
export interface EventQuery {
  state: EventState
  event?: string
  tenant?: string
  /** Received at or after. */
  from?: number
  /** Received before. */
  to?: number
  limit: number
  /** `next` of the page before; opaque. */
  cursor?: string
}

export interface EventPage {
  /** Newest first. */
  events: StoredEvent[]
  /** Pass as `cursor` for the next page; absent on the last one. */
  next?: string
}

/** Counts per `bucket` ms from `since`: events received, delivered, and attempts that failed. */
export interface Activity {
  since: number
  bucket: number
  received: number[]
  delivered: number[]
  failed: number[]
}

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
  /**
   * Delivered: kept as delivered for the store's retention window (then purged),
   * with `attempt` on record. `false` when the lease was lost.
   */
  complete(lease: Lease, attempt?: Attempt): Promise<boolean>
  /** Failed this time: due again at `nextAttemptAt`, `attempt` on record. */
  retry(lease: Lease, nextAttemptAt: number, error: string, status?: number, attempt?: Attempt): Promise<boolean>
  /** Failed for good: keep it as dead, listable and re-deliverable, `attempt` on record. */
  bury(lease: Lease, error: string, status?: number, attempt?: Attempt): Promise<boolean>
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
  /** One page of events in a state, newest first, filtered. Delivered ones are those still within retention. */
  find(query: EventQuery): Promise<EventPage>
  /** One event in any state, with its attempts (`history`). */
  get(id: string): Promise<StoredEvent | undefined>
  /** How many events are in each state. */
  counts(): Promise<Record<EventState, number>>
  /** Received, delivered and failed-attempt counts per `bucket` ms from `since` to `until`. */
  activity(since: number, until: number, bucket: number): Promise<Activity>
  close(): Promise<void>
}
