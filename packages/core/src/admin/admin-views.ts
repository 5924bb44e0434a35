import type { Attempt, OutboxMessage, StoredEvent } from '../outbox/outbox.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** What the admin sees of an event: no body or headers unless `showBodies`. */
export function eventView(event: OutboxMessage | StoredEvent, showBodies: boolean) {
  const { id, target, attempts, createdAt, nextAttemptAt, lastError, lastStatus, body } = event
  const stored = 'state' in event ? event : undefined
  return {
    id,
    ...(stored !== undefined && { state: stored.state }),
    event: event.event,
    tenant: event.tenant,
    target,
    attempts,
    createdAt: iso(createdAt),
    nextAttemptAt: iso(nextAttemptAt),
    ...(stored?.deliveredAt !== undefined && { deliveredAt: iso(stored.deliveredAt) }),
    lastError,
    lastStatus,
    bytes: body.byteLength,
    ...(showBodies && { headers: event.headers, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') }),
  }
}

/** One attempt; the upstream's answer is a body too, shown only with `showBodies`. */
export function attemptView(attempt: Attempt, showBodies: boolean) {
  const { at, duration, status, error, response } = attempt
  return { at: iso(at), duration, status, error, ...(showBodies && response !== undefined && { response }) }
}
