import type { DeliveryEvent } from '../outbox/deliverer.js'

export interface MetricsSnapshot {
  received: number
  delivered: number
  retried: number
  dead: number
}

export interface Metrics {
  /** Pass as `onEvent` to `forward()`; a bound function, so it can be passed on its own. */
  onEvent: (event: DeliveryEvent) => void
  snapshot: () => MetricsSnapshot
}

/**
 * Counters of received, delivered, retried and dead events, fed by
 * `forward({ onEvent: metrics.onEvent })` and read by the admin router or
 * your own exporter (Prometheus, StatsD) through `listener`.
 *
 * @example
 * const metrics = createMetrics((event) => statsd.increment(`webhooks.${event.type}`))
 */
export function createMetrics(listener?: (event: DeliveryEvent) => void): Metrics {
  const counts: MetricsSnapshot = { received: 0, delivered: 0, retried: 0, dead: 0 }
  const field = { received: 'received', delivered: 'delivered', retrying: 'retried', dead: 'dead' } as const
  return {
    onEvent(event) {
      counts[field[event.type]]++
      listener?.(event)
    },
    snapshot: () => ({ ...counts }),
  }
}
