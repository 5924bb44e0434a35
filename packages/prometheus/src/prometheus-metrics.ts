import {
  type DeliveryEvent,
  type Health,
  type Metrics,
  type Outbox,
  type RequestEvent,
  checkHealth,
  createMetrics,
} from '@webhook-trigger/core'
import { Counter, Gauge, Histogram, type Registry, register } from 'prom-client'

export type MetricLabel = 'tenant' | 'event'

export interface PrometheusMetricsOptions {
  /**
   * The app's own prom-client registry, which its `/metrics` already serves.
   * @default prom-client's global `register`
   */
  registry?: Registry
  /**
   * The outbox whose pending and dead counts and oldest pending age are read
   * at each scrape, as gauges.
   * @default undefined: no outbox gauges
   */
  outbox?: Outbox
  /**
   * Label requests and received events by `tenant` and/or `event` name. Each
   * distinct value is a new time series: add them only when their values are
   * few and known (cardinality).
   * @default []
   */
  labels?: readonly MetricLabel[]
  /**
   * Prefix of every metric name.
   * @default 'webhook_trigger_'
   */
  prefix?: string
  /**
   * How long a scrape waits for the outbox, in ms; then `outbox_up` is 0 and
   * the gauges keep their last values.
   * @default 2000
   */
  outboxTimeout?: number
  /**
   * Histogram buckets, in seconds, of the intake (`request_duration_seconds`).
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
   */
  requestBuckets?: number[]
  /**
   * Histogram buckets, in seconds, of delivery attempts (`delivery_attempt_duration_seconds`).
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
   */
  attemptBuckets?: number[]
}

/** Core's `Metrics` (for the admin router), plus the hook `webhook()` reports to. */
export interface PrometheusMetrics extends Metrics {
  /** Pass as `onRequest` to `webhook()`; a bound function. */
  onRequest: (event: RequestEvent) => void
  /** Pass as `onEvent` to `forward()`; a bound function. */
  onEvent: (event: DeliveryEvent) => void
  exposition: () => Promise<{ contentType: string; body: string }>
}

const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const WHERE = 'prometheusMetrics()'

function checkBuckets(name: string, buckets: number[] | undefined, fallback: number[]): number[] {
  if (buckets === undefined) return fallback
  if (!Array.isArray(buckets) || buckets.length === 0 || !buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!))) {
    throw new TypeError(`${WHERE}: "${name}" must be increasing positive numbers of seconds, e.g. [0.01, 0.1, 1]`)
  }
  return [...buckets]
}

function resolve(options: PrometheusMetricsOptions) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${WHERE}: expected options, e.g. { registry, outbox }`)
  const registry = options.registry ?? register
  if (typeof registry?.registerMetric !== 'function') throw new TypeError(`${WHERE}: "registry" must be a prom-client Registry, e.g. new Registry()`)
  const labels = [...(options.labels ?? [])]
  if (!labels.every((label) => label === 'tenant' || label === 'event') || new Set(labels).size !== labels.length) {
    throw new TypeError(`${WHERE}: "labels" may hold 'tenant' and 'event', once each, e.g. labels: ['event']`)
  }
  const prefix = options.prefix ?? 'webhook_trigger_'
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new TypeError(`${WHERE}: "prefix" must be a Prometheus metric name prefix, e.g. 'webhook_trigger_'`)
  }
  const { outbox } = options
  if (outbox !== undefined && typeof outbox?.stats !== 'function') throw new TypeError(`${WHERE}: "outbox" must be an Outbox, e.g. the one given to forward()`)
  const outboxTimeout = options.outboxTimeout ?? 2000
  if (!(outboxTimeout > 0 && outboxTimeout <= 2 ** 31 - 1)) throw new TypeError(`${WHERE}: "outboxTimeout" must be a number of ms above 0, e.g. 2000`)
  const requestBuckets = checkBuckets('requestBuckets', options.requestBuckets, REQUEST_BUCKETS)
  const attemptBuckets = checkBuckets('attemptBuckets', options.attemptBuckets, ATTEMPT_BUCKETS)
  for (const name of ['requests_total', 'deliveries_total', 'outbox_up']) {
    if (registry.getSingleMetric(prefix + name) !== undefined) {
      throw new TypeError(`${WHERE}: the registry already holds ${prefix}${name}; create these metrics once per registry, or give another "prefix"`)
    }
  }
  return { registry, labels, prefix, outbox, outboxTimeout, requestBuckets, attemptBuckets }
}

/**
 * Counters, histograms and gauges of webhook-trigger in a prom-client
 * registry: feed it from `webhook({ onRequest })` and `forward({ onEvent })`;
 * the outbox gauges are read at each scrape. Serve the registry on your own
 * `/metrics`, or pass this as the admin router's `metrics` (its `GET /metrics`
 * then answers a Prometheus scrape in the text format).
 *
 * @example
 * const registry = new Registry()
 * const metrics = prometheusMetrics({ registry, outbox })
 * app.post('/webhook', webhook({ auth, onRequest: metrics.onRequest }), forward({ to, outbox, onEvent: metrics.onEvent }))
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()))
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const { registry, labels, prefix, outbox, outboxTimeout, requestBuckets, attemptBuckets } = resolve(options)
  const registers = [registry]
  const tenantLabel = labels.includes('tenant')
  const eventLabel = labels.includes('event')
  /** The optional labels of a request or a received event; '' where unknown (a refused request). */
  const who = (source: { tenant?: string | undefined; event?: string | undefined }): Record<string, string> => {
    const values: Record<string, string> = {}
    if (tenantLabel) values.tenant = source.tenant ?? ''
    if (eventLabel) values.event = source.event ?? ''
    return values
  }

  const requests = new Counter({
    name: `${prefix}requests_total`,
    help: 'Webhook requests by outcome (accepted, refused, duplicate, error) and problem code ("" unless refused).',
    labelNames: ['outcome', 'code', ...labels],
    registers,
  })
  const requestDuration = new Histogram({
    name: `${prefix}request_duration_seconds`,
    help: 'Time from a request reaching webhook() to its verdict (credentials, body, signature, schema), by outcome.',
    labelNames: ['outcome'],
    buckets: requestBuckets,
    registers,
  })
  const received = new Counter({ name: `${prefix}events_received_total`, help: 'Events taken by forward() to deliver (queued or relayed).', labelNames: labels, registers })
  const deliveries = new Counter({
    name: `${prefix}deliveries_total`,
    help: 'Events whose delivery ended, by outcome: delivered, dead (queued, after the last retry) or failed (relayed, the sender got the error).',
    labelNames: ['outcome'],
    registers,
  })
  const retries = new Counter({ name: `${prefix}delivery_retries_total`, help: 'Failed attempts of queued events scheduled to be tried again.', registers })
  const dead = new Counter({ name: `${prefix}dead_events_total`, help: 'Queued events kept as dead after their last attempt.', registers })
  const attemptDuration = new Histogram({
    name: `${prefix}delivery_attempt_duration_seconds`,
    help: 'Time of one request to the upstream, by outcome (delivered: a 2xx; failed: anything else).',
    labelNames: ['outcome'],
    buckets: attemptBuckets,
    registers,
  })
  const snapshot = createMetrics()

  if (outbox !== undefined) outboxGauges(outbox, outboxTimeout, prefix, registers)

  return {
    onRequest(event) {
      requests.inc({ outcome: event.outcome, code: event.code ?? '', ...who(event) })
      requestDuration.observe({ outcome: event.outcome }, event.durationMs / 1000)
    },
    onEvent(event) {
      snapshot.onEvent(event)
      switch (event.type) {
        case 'received':
          return received.inc(who(event))
        case 'attempt':
          return attemptDuration.observe({ outcome: event.ok ? 'delivered' : 'failed' }, event.durationMs / 1000)
        case 'retrying':
          return retries.inc()
        case 'dead':
          dead.inc()
          return deliveries.inc({ outcome: 'dead' })
        case 'delivered':
        case 'failed':
          return deliveries.inc({ outcome: event.type })
      }
    },
    snapshot: snapshot.snapshot,
    exposition: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  }
}

/** The outbox gauges; one read of the outbox serves all four in a scrape. */
function outboxGauges(outbox: Outbox, timeout: number, prefix: string, registers: Registry[]): void {
  let reading: Promise<Health> | undefined
  const read = () => (reading ??= checkHealth(outbox, { timeout }).finally(() => (reading = undefined)))
  const gauge = (name: string, help: string, set: (gauge: Gauge, health: Health) => void) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      async collect() {
        set(this, await read())
      },
    })
  // While the outbox does not answer, the counts keep their last values and outbox_up says so.
  gauge('outbox_up', 'Whether the outbox answered the last scrape within the timeout (1) or not (0).', (g, h) => g.set(h.reachable ? 1 : 0))
  gauge('pending_events', 'Events waiting for delivery, being sent or retrying.', (g, h) => h.pending !== undefined && g.set(h.pending))
  gauge('dead_events', 'Events kept as dead, waiting to be redelivered or purged.', (g, h) => h.dead !== undefined && g.set(h.dead))
  gauge('oldest_pending_event_age_seconds', 'Age of the oldest pending event; 0 when none is pending.', (g, h) => {
    if (h.oldestPendingAgeSeconds !== undefined) g.set(h.oldestPendingAgeSeconds)
  })
}
