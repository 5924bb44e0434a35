import type { DeliveryEvent } from '../outbox/deliverer.js'

export interface MetricsSnapshot {
  received: number
  delivered: number
  retried: number
  dead: number
  /** Relayed events whose upstream never took them (the sender got the error). */
  failed: number
}

export interface Metrics {
  /** Pass as `onEvent` to `forward()`; a bound function, so it can be passed on its own. */
  onEvent: (event: DeliveryEvent) => void
  snapshot: () => MetricsSnapshot
  /**
   * The metrics in a text format (Prometheus exposition, OpenMetrics), which
   * the admin router's `GET /metrics` serves to a client that prefers it,
   * e.g. a Prometheus scrape. `@webhook-trigger/prometheus` provides it.
   */
  exposition?: () => Promise<{ contentType: string; body: string }>
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
  const counts: MetricsSnapshot = { received: 0, delivered: 0, retried: 0, dead: 0, failed: 0 }
  const field = { received: 'received', delivered: 'delivered', retrying: 'retried', dead: 'dead', failed: 'failed', attempt: undefined } as const
  return {
    onEvent(event) {
      const counter = field[event.type]
      if (counter !== undefined) counts[counter]++
      listener?.(event)
    },
    snapshot: () => ({ ...counts }),
  }
}
