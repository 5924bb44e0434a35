import { type Log, listening } from '../log/logger.js'
import type { DeliveryEvent } from '../outbox/deliverer.js'

/**
 * One log line per delivery event, with the stable field names of
 * docs/operating.md, then the app's own `onEvent`. Debug: received and each
 * attempt; info: delivered; warn: retrying, a relay that failed; error: dead.
 */
export function deliveryReport(log: Log, onEvent: ((event: DeliveryEvent) => void) | undefined): (event: DeliveryEvent) => void {
  const listener = listening(onEvent, log, 'onEvent')
  return function report(event) {
    switch (event.type) {
      case 'received':
        if (log.enabled('debug')) log.debug({ eventId: event.id, tenant: event.tenant, event: event.event }, 'event received')
        break
      case 'attempt':
        if (log.enabled('debug')) {
          const { id, attempt, ok, status, error, durationMs } = event
          log.debug({ eventId: id, attempt, outcome: ok ? 'delivered' : 'failed', upstreamStatus: status, error, durationMs }, 'delivery attempt')
        }
        break
      case 'delivered':
        if (log.enabled('info')) {
          log.info({ eventId: event.id, outcome: 'delivered', attempt: event.attempts, upstreamStatus: event.status, durationMs: event.durationMs }, 'event delivered')
        }
        break
      case 'retrying': {
        const { id, attempts, status, error, durationMs, nextAttemptAt } = event
        const next = new Date(nextAttemptAt).toISOString()
        log.warn({ eventId: id, outcome: 'retrying', attempt: attempts, upstreamStatus: status, error, durationMs, nextAttemptAt: next }, 'delivery failed, will retry')
        break
      }
      case 'dead':
      case 'failed': {
        const { id, attempts, status, error, durationMs } = event
        const fields = { eventId: id, outcome: event.type, attempt: attempts, upstreamStatus: status, error, durationMs }
        if (event.type === 'dead') log.error(fields, 'event dead')
        else log.warn(fields, 'relay failed')
        break
      }
    }
    listener(event)
  }
}
