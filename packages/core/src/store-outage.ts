import { type Log, errorFields } from './log/logger.js'
import { type Problem, problem } from './problem.js'

/**
 * Seconds a sender is asked to wait after a store outage answer: long enough
 * for a reconnect or a freed disk, short enough that a sender with a 10 s
 * budget (GitHub's) still tries again within it.
 */
const RETRY_AFTER = '5'

/**
 * The answer when a store (an outbox, a delivery log) did not commit in
 * time: 503 with `Retry-After`. The sender keeps the event and sends it
 * again; it was not acknowledged.
 *
 * @example
 * return problemResponse(unavailable('outbox.unavailable', 'The event could not be stored; send it again later.'))
 */
export function unavailable(code: 'outbox.unavailable' | 'log.unavailable', detail: string): Problem {
  return problem(code, detail, { headers: { 'retry-after': RETRY_AFTER } })
}

export interface OutageReport {
  /** A store call failed: warns if it is the first failure since the last success. */
  failed(error: unknown): void
  /** A store call succeeded: the next failure is a new outage, worth a warning again. */
  recovered(): void
}

/**
 * One warning per outage, not one per refused request: during an outage
 * every request fails the same way, and the first error says why (its class
 * and code: a message may echo what the store was given).
 *
 * @example
 * const outage = outageReport(log, 'the outbox')
 * try { await outbox.enqueue(message, now); outage.recovered() } catch (error) { outage.failed(error) }
 */
export function outageReport(log: Log, store: string): OutageReport {
  let down = false
  return {
    failed(error) {
      if (down) return
      down = true
      log.warn({ store, ...errorFields(error) }, `${store} is unavailable: answering 503 until it recovers`)
    },
    recovered() {
      down = false
    },
  }
}
