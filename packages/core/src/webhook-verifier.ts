import type { IncomingHttpHeaders } from 'node:http'
import { type Authenticated, type HeaderAuthResult, authenticate } from './auth/authenticate.js'
import { connectionMemo } from './auth/connection-memo.js'
import type { AuthScheme } from './auth/scheme.js'
import type { BodySource } from './body/body-source.js'
import { type Callback, after, promised } from './callback.js'
import { parseBodyTimeout } from './body/body-timeout.js'
import { parseLimit } from './body/limit.js'
import { checkMediaType } from './body/media-type.js'
import { tooLarge } from './body/read-body.js'
import { type Payload, rawBodyGone, readPayload } from './body/read-payload.js'
import { checkPath, pathMatcher } from './path.js'
import { type Envelope, checkEnvelope } from './payload/envelope.js'
import { DEFAULT_MAX_DEPTH, checkParsed, parseJson } from './payload/parse-json.js'
import { isStandardSchema, validateSchema } from './payload/schema.js'
import { type Problem, type ProblemCode, type WebhookResponse, problem, problemResponse } from './problem.js'
import type { DeliveryLog } from './replay/delivery-log.js'
import { type DedupeOptions, type Tracked, createDeliveryTracker } from './replay/delivery-tracker.js'
import type { EventSchemas, VerifiedWebhook } from './webhook.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'
import { type Logger, checkLogger, createLog, errorFields, listening } from './log/logger.js'

export interface WebhookOptions<S extends EventSchemas = EventSchemas> {
  /**
   * The credential schemes this webhook accepts, e.g. `[basic(creds), bearer(creds)]`.
   * A request using a scheme must pass it; one using none gets 401.
   */
  auth: AuthScheme | readonly AuthScheme[]
  /**
   * Only requests to this path are handled; others pass through untouched.
   * @default every request that reaches the middleware
   */
  path?: string
  /**
   * Largest body accepted, in bytes or as a size such as `"512kb"`.
   * @default "1mb"
   */
  limit?: number | string
  /**
   * Longest time, in ms, the body may take to arrive once we start reading
   * it. A body that stalls or trickles (a slow or hostile client) is answered
   * `408 payload.timeout` with `Connection: close`, and no handler runs.
   * Set your server's `headersTimeout` and `requestTimeout` too: this one
   * starts after the headers.
   * @default 10000
   */
  bodyTimeout?: number
  /**
   * Deepest nesting of arrays and objects accepted in the JSON body.
   * @default 64
   */
  maxDepth?: number
  /**
   * Require the `{ "event": "...", "data": { ... } }` envelope. Turn it off to
   * accept a third party's own JSON (an intermediary transforms it later):
   * then `event` is `""`, `data` is the payload when it is an object, and
   * `payload` is always the whole body.
   * @default true
   */
  envelope?: boolean
  /**
   * Where handled deliveries of signature schemes are remembered, so a replay
   * within the tolerance window is answered 202 without running the handler
   * again, and the same id with another body is 409. `false` turns it off.
   * @default memoryDeliveryLog()
   */
  replay?: DeliveryLog | false
  /**
   * De-duplicate inbound deliveries of any scheme: an id (the `webhook-id` or
   * `Idempotency-Key` header, or a JSON Pointer into the body) seen within the
   * window is answered 202 without handling it again; the same id with
   * another body is 409. `true` uses a memory log and 24 h.
   * @default false
   */
  dedupe?: boolean | DedupeOptions
  /**
   * Standard Schemas (zod, valibot, arktype...) for `data`, per event name;
   * `null` declares an event without one.
   * @default {}
   */
  schemas?: S
  /**
   * Where to log: a pino or bunyan logger, or anything with their
   * `info(fields, message)` shape. One line per request: `webhook accepted`
   * (info), `webhook refused` (info; warn for a 5xx) or `webhook check failed`
   * (error), with `eventId`, `tenant`, `event`, `outcome`, `code`, `status`
   * and `durationMs`; never a credential or a body.
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
  /**
   * Called once per request with its outcome and how long the checks took,
   * e.g. `prometheusMetrics().onRequest`. One that throws is logged (`listener threw`).
   * @default undefined
   */
  onRequest?: (event: RequestEvent) => void
}

/** What `webhook()` reports about each request, for logs and metrics. Never a credential or a body. */
export interface RequestEvent {
  /** accepted: the handler runs. refused: a problem answer. duplicate: a delivery already handled, answered 202. error: a lookup or store failed. */
  outcome: 'accepted' | 'refused' | 'duplicate' | 'error'
  /** The refusal's problem code. */
  code?: ProblemCode
  /** The status of the answer given instead of running the handler (refused, duplicate). */
  status?: number
  /** From the request reaching the checks to their verdict, in ms; the handler's own time is not in it. */
  durationMs: number
  /** The delivery id (accepted, duplicate). */
  eventId?: string
  tenant?: string
  event?: string
}

/** A request as every framework can describe it. */
export interface WebhookRequest {
  method: string | undefined
  headers: IncomingHttpHeaders
  /** Node's `rawHeaders`, to see duplicates that `headers` drops. */
  rawHeaders?: readonly string[]
  body: BodySource
  /**
   * The connection the request came on (Node: `req.socket`). With
   * credentials from `tenants()`, headers accepted on it are remembered for
   * its next requests, which then skip decoding and hashing.
   */
  connection?: object
}

export type VerifyResult =
  | {
      ok: true
      webhook: VerifiedWebhook
      /**
       * Present when the delivery is tracked for replay protection: call it
       * once the answer is out, `true` when it was a 2xx. It records the
       * delivery as handled, or frees its id for the sender's retry. It never
       * rejects: a delivery log that fails is logged.
       * `settleOnFinish(res, result)` does this for a Node response.
       */
      settle?: (handled: boolean) => Promise<void>
    }
  /** Answer with `response` and run no handler: a refusal (`problem`), or a replay already handled (its `id`). */
  | { ok: false; response: WebhookResponse; problem?: Problem; id?: string }

/**
 * Called once with what `verify()` found. An error is a credentials lookup,
 * a signature secret lookup or a schema that threw or rejected, or a stream
 * that failed (other than the client going away): never bad input, which
 * gets a refusal, nor a delivery log that failed, which gets a 503. `result` is typed by `error`: after
 * `if (error !== null) return`, it is a `VerifyResult`.
 */
export type VerifyCallback = Callback<VerifyResult>

export interface WebhookVerifier {
  /** Whether `url` is this webhook's path (always true without a `path` option). */
  handles(url: string | undefined): boolean
  /** Runs every check in order; resolves to the webhook or the answer to give instead. */
  verify(request: WebhookRequest): Promise<VerifyResult>
  /**
   * The same checks, calling `callback` once instead of returning a promise.
   * It may run before `verify()` returns: for a refusal made from the
   * headers, and for any answer when the body was already read (a body
   * parser ran first). Otherwise, when no step waits (no signature scheme,
   * no replay or dedupe log, no schema, credentials checked synchronously
   * or remembered on the connection), it runs inside the body's `end`
   * event, with no microtask on the way. Like any Node callback, it must
   * not throw.
   */
  verify(request: WebhookRequest, callback: VerifyCallback): void
}

type Refusal = Extract<VerifyResult, { ok: false }>
/** The credentials passed the header checks: who sent it, or a signature to check over the body. */
type Admitted = Exclude<HeaderAuthResult, { ok: false }>
/** What the body checks found, before the delivery is tracked. */
interface Checked {
  who: Authenticated
  event: string
  data: unknown
  payload: unknown
  rawBody: Buffer | undefined
}

/** With the envelope check off: any JSON, its object form as data. */
function looseEnvelope(value: unknown): { ok: true; envelope: Envelope } {
  const data = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  return { ok: true, envelope: { event: '', data } }
}

function refusal(p: Problem): Refusal {
  return { ok: false, response: problemResponse(p), problem: p }
}

function isScheme(value: unknown): value is AuthScheme {
  return typeof (value as Partial<AuthScheme> | null)?.authenticate === 'function'
}

/** `on` and `handler` are read by the adapters' dispatch, from the same options object. */
const WEBHOOK_KEYS = optionKeys<WebhookOptions & { on?: unknown; handler?: unknown }>()(
  'auth', 'path', 'limit', 'bodyTimeout', 'maxDepth', 'envelope', 'replay', 'dedupe', 'schemas', 'logger', 'onRequest', 'on', 'handler',
)

function normalise<S extends EventSchemas>(options: WebhookOptions<S>, where: string) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${where}: expected an options object, e.g. ${where.replace('()', '')}({ auth: basic(credentials) })`)
  }
  checkOptions(where, options, WEBHOOK_KEYS)
  const given: unknown = options.auth
  const auth: unknown[] = Array.isArray(given) ? [...(given as unknown[])] : given === undefined ? [] : [given]
  if (auth.length === 0) {
    throw new TypeError(`${where}: "auth" must list at least one scheme, e.g. auth: [basic(credentials)]`)
  }
  if (!auth.every(isScheme)) throw new TypeError(`${where}: every "auth" entry must come from basic(), bearer() or header()`)
  const path = checkPath(options.path, where)
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
    throw new TypeError(`${where}: "maxDepth" must be a positive integer, got ${String(options.maxDepth)}`)
  }
  const schemas = new Map<string, NonNullable<S[keyof S]>>()
  for (const [event, schema] of Object.entries(options.schemas ?? {})) {
    if (schema === null) continue
    if (!isStandardSchema(schema)) {
      throw new TypeError(`${where}: schemas["${event}"] must be a Standard Schema (zod, valibot, arktype...) or null`)
    }
    schemas.set(event, schema as NonNullable<S[keyof S]>)
  }
  const envelope = options.envelope ?? true
  if (typeof envelope !== 'boolean') throw new TypeError(`${where}: "envelope" must be true or false`)
  const logger = checkLogger(options.logger, where)
  const tracker = createDeliveryTracker(options.replay, options.dedupe, where, createLog(logger, 'webhook'))
  const { onRequest } = options
  if (onRequest !== undefined && typeof onRequest !== 'function') throw new TypeError(`${where}: "onRequest" must be a function, e.g. onRequest: metrics.onRequest`)
  const limit = parseLimit(options.limit, 'limit', where)
  return { schemes: auth, path, maxDepth, schemas, envelope, tracker, limit, bodyTimeout: parseBodyTimeout(options.bodyTimeout, where), logger, onRequest }
}

/**
 * The framework-neutral webhook endpoint: method, credentials, media type,
 * size, signature, JSON, envelope, schema and replay, in that order.
 * Adapters call it and write its answer; it never throws for bad input.
 *
 * @example
 * const verifier = createWebhookVerifier({ auth: basic(tenants({ tenant123: 'api_token_abc123' })) })
 * const result = await verifier.verify({ method: req.method, headers: req.headers, body: bodySource(req) })
 */
export function createWebhookVerifier<S extends EventSchemas>(
  options: WebhookOptions<S>,
  where = 'createWebhookVerifier()',
): WebhookVerifier {
  const { schemes, path, maxDepth, schemas, envelope: requireEnvelope, tracker, limit, bodyTimeout, logger, onRequest } = normalise(options, where)
  const log = createLog(logger, 'webhook')
  const memo = connectionMemo(schemes)
  const credentialFields = Object.freeze(schemes.flatMap((scheme) => (scheme.field === undefined ? [] : [scheme.field])))
  const methodNotAllowed = refusal(problem('method.not_allowed', 'Send webhooks with POST.', { headers: { allow: 'POST' } }))
  const signedButParsed = refusal(rawBodyGone('A signature is verified over the exact body bytes, but a body parser consumed them before the webhook middleware.'))
  const observing = () => onRequest !== undefined || log.enabled('info')
  const hook = listening(onRequest, log, 'onRequest')

  /** A 5xx refusal is our configuration's fault: worth a warning even when nothing else is logged. */
  function misconfigured(refused: Refusal): Refusal {
    if (!observing()) log.warn({ outcome: 'refused', code: refused.problem!.code, status: refused.response.status }, 'webhook refused')
    return refused
  }

  /** Credentials, media type and declared size: a refusal, or the sender as far as the headers tell. */
  function fromHeaders(request: WebhookRequest): Refusal | Admitted | Promise<Refusal | Admitted> {
    const { connection } = request
    const remembering = memo === undefined || connection === undefined ? undefined : { memo, connection }
    const authenticating = authenticate(schemes, request.headers, request.rawHeaders, remembering)
    if (authenticating instanceof Promise) return authenticating.then((auth) => checkHeaders(request.headers, auth))
    return checkHeaders(request.headers, authenticating)
  }

  function checkHeaders(headers: IncomingHttpHeaders, auth: HeaderAuthResult): Refusal | Admitted {
    if (auth.ok === false) return refusal(auth.problem)
    const unsupported = checkMediaType(headers)
    if (unsupported !== undefined) return refusal(unsupported)
    const declared = headers['content-length']
    if (declared !== undefined && Number(declared) > limit) return refusal(tooLarge(limit))
    return auth
  }

  /** Signature, JSON, envelope, schema, then the delivery id (and replay or duplicate). */
  function fromBody(headers: IncomingHttpHeaders, auth: Admitted, read: Payload): VerifyResult | Promise<VerifyResult> {
    if (!read.ok) return read.problem.status >= 500 ? misconfigured(refusal(read.problem)) : refusal(read.problem)
    if (auth.ok === true) return fromPayload(headers, auth.who, read)
    if (read.bytes === undefined) return misconfigured(signedButParsed)
    return auth.finish(read.bytes).then((signed) => (signed.ok ? fromPayload(headers, signed.who, read) : refusal(signed.problem)))
  }

  function fromPayload(headers: IncomingHttpHeaders, who: Authenticated, read: Payload & { ok: true }): VerifyResult | Promise<VerifyResult> {
    const parsed = read.bytes === undefined ? checkParsed(read.parsed, maxDepth) : parseJson(read.bytes, maxDepth)
    if (!parsed.ok) return refusal(parsed.problem)
    const envelope = requireEnvelope ? checkEnvelope(parsed.value) : looseEnvelope(parsed.value)
    if (!envelope.ok) return refusal(envelope.problem)
    const { event, data } = envelope.envelope
    const checked: Checked = { who, event, data, payload: parsed.value, rawBody: read.bytes }
    const schema = schemas.get(event)
    if (schema === undefined) return track(headers, checked)
    return validateSchema(schema, data, event).then((valid) => {
      if (!valid.ok) return refusal(valid.problem)
      checked.data = valid.value
      return track(headers, checked)
    })
  }

  function track(headers: IncomingHttpHeaders, checked: Checked): VerifyResult | Promise<VerifyResult> {
    const tracking = tracker.track(checked.who, headers, checked.payload, checked.rawBody)
    if (tracking instanceof Promise) return tracking.then((tracked) => verified(tracked, checked))
    return verified(tracking, checked)
  }

  function verified(tracked: Tracked, { who, event, data, payload, rawBody }: Checked): VerifyResult {
    if ('response' in tracked) return { ok: false, response: tracked.response, problem: tracked.problem, id: tracked.id }
    const webhook: VerifiedWebhook = {
      id: tracked.id,
      tenant: who.tenant,
      scheme: who.scheme,
      event,
      data: data as Record<string, unknown>,
      payload,
      rawBody,
      receivedAt: new Date(),
      credentialFields,
    }
    return tracked.settle === undefined ? { ok: true, webhook } : { ok: true, webhook, settle: settling(tracked.settle, tracked.id) }
  }

  /** A settle that never rejects: a delivery log that fails to record is logged, and the sender's retry is handled again. */
  function settling(settle: (handled: boolean) => Promise<void>, eventId: string) {
    return (handled: boolean) => settle(handled).catch((error: unknown) => log.warn({ eventId, ...errorFields(error) }, 'could not record the delivery as handled'))
  }

  // Waits only where a step returned a promise (async lookups, signatures,
  // schemas, delivery logs) and for the body's events: every await would be
  // a trip through the microtask queue on every request.
  function run(request: WebhookRequest, given: VerifyCallback): void {
    const done = observing() ? observed(given) : given
    if (request.method !== 'POST') return done(null, methodNotAllowed)
    const failed = (error: Error) => {
      log.error(errorFields(error), 'webhook check failed')
      done(error, undefined)
    }
    after(
      () => fromHeaders(request),
      (admitted) => {
        if (admitted.ok === false) return done(null, admitted)
        readPayload(request.body, limit, bodyTimeout, request.headers, (error, read) => {
          if (error !== null) return failed(error)
          after(() => fromBody(request.headers, admitted, read), (result) => done(null, result), failed)
        })
      },
      failed,
    )
  }

  /** The callback, reporting the verdict first: to `onRequest`, and as one log line. */
  function observed(done: VerifyCallback): VerifyCallback {
    const started = performance.now()
    return (error, result) => {
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000
      const event = requestEvent(error === null ? result : undefined, durationMs)
      hook(event)
      if (event.outcome === 'refused' && event.status! >= 500) log.warn(event, 'webhook refused')
      else if (event.outcome !== 'error') log.info(event, event.outcome === 'accepted' ? 'webhook accepted' : event.outcome === 'refused' ? 'webhook refused' : 'webhook duplicate')
      if (error === null) done(null, result)
      else done(error, undefined)
    }
  }

  function verify(request: WebhookRequest): Promise<VerifyResult>
  function verify(request: WebhookRequest, callback: VerifyCallback): void
  function verify(request: WebhookRequest, callback?: VerifyCallback): Promise<VerifyResult> | undefined {
    if (callback === undefined) return promised<VerifyResult>((done) => run(request, done))
    run(request, callback)
  }

  return { handles: pathMatcher(path), verify }
}

/** The verdict as a `RequestEvent`: who and what, never how they proved it. */
function requestEvent(result: VerifyResult | undefined, durationMs: number): RequestEvent {
  if (result === undefined) return { outcome: 'error', durationMs }
  if (result.ok) {
    const { id, tenant, event } = result.webhook
    return { outcome: 'accepted', durationMs, eventId: id, tenant, event }
  }
  const { status } = result.response
  if (result.problem !== undefined) return { outcome: 'refused', code: result.problem.code, status, durationMs }
  return { outcome: 'duplicate', status, durationMs, eventId: result.id }
}
