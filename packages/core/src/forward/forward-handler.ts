import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { BodySource } from '../body/body-source.js'
import { parseBodyTimeout } from '../body/body-timeout.js'
import { parseLimit } from '../body/limit.js'
import { checkPath, pathMatcher } from '../path.js'
import { readBody, tooLarge } from '../body/read-body.js'
import { readWebBody } from '../body/read-web-body.js'
import { type Deliverer, type DelivererOptions, type DeliveryEvent, createDeliverer } from '../outbox/deliverer.js'
import type { Outbox } from '../outbox/outbox.js'
import { type Envelope, checkEnvelope } from '../payload/envelope.js'
import { DEFAULT_MAX_DEPTH, inspectValue } from '../payload/parse-json.js'
import { type Problem, type WebhookResponse, problem, problemResponse } from '../problem.js'
import { acceptedResponse } from '../handlers.js'
import { outageReport, unavailable } from '../store-outage.js'
import type { VerifiedWebhook } from '../webhook.js'
import { type Health, type HealthOptions, checkHealth } from '../health/health.js'
import { type Logger, checkLogger, createLog } from '../log/logger.js'
import { deliveryReport } from './delivery-report.js'
import { forwardHeaders } from './forward-headers.js'
import { type AttemptResult, type ForwarderOptions, createForwarder } from './forwarder.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'

export interface ForwardOptions extends ForwarderOptions {
  /**
   * Maps the verified webhook to the inbound envelope before it is sent (an
   * intermediary). Its result is validated like an inbound payload. Needs
   * `webhook()` mounted before `forward()`.
   * @default undefined: the body is sent byte for byte
   */
  transform?: (webhook: VerifiedWebhook) => Envelope | Promise<Envelope>
  /**
   * Queue each event here and answer 202 once it is stored (held back a while
   * when delivery falls behind: see `delivery.highWaterMark`); a background
   * deliverer sends it on a long retry schedule and keeps failures as dead.
   * @default undefined: relay, answering with the upstream's answer
   */
  outbox?: Outbox
  /** Options of the background deliverer (queued mode). */
  delivery?: DelivererOptions
  /**
   * Called when an event is received, for each attempt and for each delivery
   * outcome; `createMetrics().onEvent` counts them. One that throws is logged (`listener threw`).
   */
  onEvent?: (event: DeliveryEvent) => void
  /**
   * Where to log: a pino or bunyan logger, or anything with their
   * `info(fields, message)` shape. One line per delivery outcome: `event
   * delivered` (info), `delivery failed, will retry` and `relay failed`
   * (warn), `event dead` (error); attempts at debug. Fields: `eventId`,
   * `outcome`, `attempt`, `upstreamStatus`, `error`, `durationMs`; never a
   * credential or a body.
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
  /**
   * Largest body read when no `webhook()` runs before `forward()`.
   * @default "1mb"
   */
  limit?: number | string
  /**
   * Longest time, in ms, the body may take to arrive when no `webhook()`
   * runs before `forward()`: a stalled or trickling body is answered
   * `408 payload.timeout` and nothing is forwarded.
   * @default 10000
   */
  bodyTimeout?: number
  /**
   * Only requests to this path are forwarded; others pass through untouched.
   * @default every request that reaches the middleware
   */
  path?: string
}

export interface ForwardRequest {
  method: string | undefined
  headers: IncomingHttpHeaders
  body: BodySource
  /** Set when `webhook()` verified the request first. */
  webhook?: VerifiedWebhook
  remoteAddress?: string | undefined
  encrypted?: boolean
}

export interface ForwardHandler {
  /** Whether `url` is the forwarded path (always true without a `path` option). */
  handles(url: string | undefined): boolean
  handle(request: ForwardRequest): Promise<WebhookResponse>
  /** The background deliverer, in queued mode. */
  readonly deliverer: Deliverer | undefined
  /**
   * How the outbox is: reachable, pending and dead counts, the oldest pending
   * age, `ok: false` past a limit; `{ ok: true, reachable: true }` when relaying
   * (no store). Answer it with 200 or 503 for a readiness probe.
   */
  health(options?: HealthOptions): Promise<Health>
  /** Graceful shutdown: stop taking work, finish or release in-flight deliveries, close connections. */
  close(): Promise<void>
}

const ID_PATTERN = /^[\x21-\x7e]{1,255}$/
const JSON_HEADERS = { 'content-type': 'application/json' }

function idempotencyKey(request: ForwardRequest): string {
  if (request.webhook !== undefined) return request.webhook.id
  const given = request.headers['idempotency-key'] ?? request.headers['webhook-id']
  return typeof given === 'string' && ID_PATTERN.test(given) ? given : randomUUID()
}

/** Why an attempt failed, in the words an outbox records. */
function failure(result: AttemptResult): string {
  return result.kind === 'error' ? result.message : `upstream answer ${result.status}`
}

/** The relay's answer: the upstream's own, or a problem saying why there is none. */
export function relayResponse(result: AttemptResult): WebhookResponse {
  if (result.kind === 'error') {
    const code = result.error === 'timeout' ? 'upstream.timeout' : 'upstream.unreachable'
    return problemResponse(problem(code, `${result.message}; the event was not delivered, send it again later.`))
  }
  if (result.status >= 300 && result.status < 400) {
    return problemResponse(problem('upstream.redirect', `The upstream answered ${result.status}; redirects are not followed.`))
  }
  const headers: Record<string, string> = {}
  for (const name of ['content-type', 'retry-after']) {
    const value = result.headers[name]
    if (typeof value === 'string') headers[name] = value
  }
  return { status: result.status, headers, body: result.body ?? '' }
}

/**
 * The framework-neutral relay and intermediary behind both adapters'
 * `forward()`: picks the bytes to send (as received, or the transform's
 * validated envelope), builds the headers, then relays or queues.
 */
const FORWARD_KEYS = optionKeys<ForwardOptions>()(
  'to', 'auth', 'connectTimeout', 'timeout', 'maxResponseBytes', 'retry', 'dispatcher', 'sign',
  'transform', 'outbox', 'delivery', 'onEvent', 'logger', 'limit', 'bodyTimeout', 'path',
)

export function createForwardHandler(options: ForwardOptions, where = 'createForwardHandler()'): ForwardHandler {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: expected options, e.g. { to, auth }`)
  checkOptions(where, options, FORWARD_KEYS)
  const handles = pathMatcher(checkPath(options.path, where))
  const limit = parseLimit(options.limit, 'limit', where)
  const bodyTimeout = parseBodyTimeout(options.bodyTimeout, where)
  const { transform, outbox } = options
  if (transform !== undefined && typeof transform !== 'function') throw new TypeError(`${where}: "transform" must be a function`)
  if (outbox !== undefined && typeof outbox?.enqueue !== 'function') throw new TypeError(`${where}: "outbox" must be an Outbox, e.g. memoryOutbox()`)
  // Last: it opens a connection pool.
  const forwarder = createForwarder(options, where)
  const logger = checkLogger(options.logger, where)
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new TypeError(`${where}: "onEvent" must be a function, e.g. onEvent: metrics.onEvent`)
  const log = createLog(logger, 'forward')
  const report = deliveryReport(log, options.onEvent)
  // The delivery's own onEvent, when given, hears the events too: it does not silence the log.
  const { onEvent: alsoReport, ...delivery } = options.delivery ?? {}
  const onEvent = alsoReport === undefined ? report : (event: DeliveryEvent) => (report(event), alsoReport(event))
  const deliverer = outbox && createDeliverer(outbox, forwarder, { logger, ...delivery, onEvent })
  deliverer?.start()
  const now = options.delivery?.now ?? Date.now
  const methodNotAllowed = problem('method.not_allowed', 'Send webhooks with POST.', { headers: { allow: 'POST' } })
  const notStored = problemResponse(unavailable('outbox.unavailable', 'The event could not be stored right now; it was not accepted, send it again later.'))
  const outage = outageReport(log, 'the outbox')

  /** The envelope's event name of each body a transform produced, for the outbox to file it under. */
  const eventOf = new WeakMap<Uint8Array, string>()

  async function transformed(webhook: VerifiedWebhook): Promise<Uint8Array | Problem> {
    const result = await transform!(webhook)
    const envelope = checkEnvelope(result)
    let invalid = envelope.ok ? inspectValue(result, DEFAULT_MAX_DEPTH) : envelope.problem
    if (invalid === undefined) {
      try {
        const bytes = Buffer.from(JSON.stringify(result))
        if (envelope.ok) eventOf.set(bytes, envelope.envelope.event)
        return bytes
      } catch (error) {
        invalid = problem('transform.invalid', `it cannot be serialised as JSON (${(error as Error).name})`)
      }
    }
    const { errors } = invalid
    return problem('transform.invalid', `transform() returned something that is not a valid webhook envelope: ${invalid.detail}`, {
      ...(errors && { errors }),
    })
  }

  async function bytesOf(request: ForwardRequest): Promise<Uint8Array | Problem> {
    const { webhook, body } = request
    if (transform !== undefined) {
      return webhook === undefined
        ? problem('server.needs_webhook', 'forward() has a transform, which needs the verified webhook: mount webhook() before forward().')
        : transformed(webhook)
    }
    if (webhook?.rawBody !== undefined) return webhook.rawBody
    if (body.kind === 'bytes') return body.bytes.byteLength > limit ? tooLarge(limit) : body.bytes
    if ((body.kind === 'stream' || body.kind === 'web') && webhook === undefined) {
      const declared = request.headers['content-length']
      if (declared !== undefined && Number(declared) > limit) return tooLarge(limit)
      const read = body.kind === 'stream' ? await readBody(body.stream, limit, declared, bodyTimeout) : await readWebBody(body.stream, limit, declared, bodyTimeout)
      return read.ok ? read.bytes : read.problem
    }
    return problem(
      'server.raw_body_unavailable',
      'forward() sends the body exactly as received, but a body parser consumed it; mount forward() (and webhook()) before the parser, or keep the bytes with express.json({ verify: keepRawBody }).',
    )
  }

  return {
    deliverer,
    handles,
    async handle(request) {
      if (request.method !== 'POST') return problemResponse(methodNotAllowed)
      const body = await bytesOf(request)
      if (!(body instanceof Uint8Array)) return problemResponse(body)
      const id = idempotencyKey(request)
      const context = { strip: request.webhook?.credentialFields, remoteAddress: request.remoteAddress, proto: request.encrypted ? 'https' : 'http' } as const
      const headers = transform === undefined ? forwardHeaders(request.headers, context) : { ...forwardHeaders({}, context), ...JSON_HEADERS }
      headers['idempotency-key'] = id
      const received = { type: 'received', id, tenant: request.webhook?.tenant, event: request.webhook?.event } as const
      if (outbox === undefined) {
        report(received)
        let durationMs = 0
        const result = await forwarder.deliver({ body, headers }, (last, attempt, took) => {
          durationMs = took
          const status = last.kind === 'response' ? last.status : undefined
          const ok = status !== undefined && status >= 200 && status < 300
          report({ type: 'attempt', id, attempt, ok, durationMs, status, ...(!ok && { error: failure(last) }) })
        })
        const { last, attempts } = result
        if (result.outcome === 'delivered' && last.kind === 'response') report({ type: 'delivered', id, attempts, status: last.status, durationMs })
        else report({ type: 'failed', id, attempts, error: failure(last), status: last.kind === 'response' ? last.status : undefined, durationMs })
        return relayResponse(last)
      }
      // A duplicate id is the same event sent again: answer as if queued now.
      const at = now()
      const { webhook } = request
      const event = transform === undefined ? webhook?.event : eventOf.get(body)
      const message = { id, target: forwarder.target.href, headers, body, ...(event && { event }), ...(webhook !== undefined && { tenant: webhook.tenant }) }
      let stored: 'queued' | 'duplicate'
      try {
        stored = await outbox.enqueue(message, at)
      } catch (error) {
        // Not known to be committed, so never a 202. It may still be committed later (a write that
        // reached Redis after its timeout): it is then delivered, and the sender's retry is a duplicate.
        outage.failed(error)
        return notStored
      }
      outage.recovered()
      if (stored === 'queued') {
        report(received)
        // Stored already; a backlog over the high-water mark holds the answer back a while.
        const backlog = deliverer!.queued(at)
        if (backlog !== undefined) await backlog
      } else deliverer!.wake()
      return acceptedResponse({ id })
    },
    health: (options) => (outbox === undefined ? Promise.resolve({ ok: true, reachable: true }) : checkHealth(outbox, options, now)),
    async close() {
      await deliverer?.close()
      await forwarder.close()
    },
  }
}
