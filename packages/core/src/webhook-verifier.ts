import type { IncomingHttpHeaders } from 'node:http'
import { type Authenticated, type HeaderAuthResult, authenticate } from './auth/authenticate.js'
import type { AuthScheme } from './auth/scheme.js'
import type { BodySource } from './body/body-source.js'
import { parseLimit } from './body/limit.js'
import { checkMediaType } from './body/media-type.js'
import { tooLarge } from './body/read-body.js'
import { rawBodyGone, readPayload } from './body/read-payload.js'
import { checkPath, pathMatcher } from './path.js'
import { type Envelope, checkEnvelope } from './payload/envelope.js'
import { DEFAULT_MAX_DEPTH, checkParsed, parseJson } from './payload/parse-json.js'
import { isStandardSchema, validateSchema } from './payload/schema.js'
import { type Problem, type WebhookResponse, problem, problemResponse } from './problem.js'
import type { DeliveryLog } from './replay/delivery-log.js'
import { type DedupeOptions, createDeliveryTracker } from './replay/delivery-tracker.js'
import type { EventSchemas, VerifiedWebhook } from './webhook.js'

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
}

/** A request as every framework can describe it. */
export interface WebhookRequest {
  method: string | undefined
  headers: IncomingHttpHeaders
  /** Node's `rawHeaders`, to see duplicates that `headers` drops. */
  rawHeaders?: readonly string[]
  body: BodySource
}

export type VerifyResult =
  | {
      ok: true
      webhook: VerifiedWebhook
      /**
       * Present when the delivery is tracked for replay protection: call it
       * once the answer is out, `true` when it was a 2xx. It records the
       * delivery as handled, or frees its id for the sender's retry.
       * `settleOnFinish(res, result)` does this for a Node response.
       */
      settle?: (handled: boolean) => Promise<void>
    }
  /** Answer with `response` and run no handler: a refusal (`problem`), or a replay already handled. */
  | { ok: false; response: WebhookResponse; problem?: Problem }

export interface WebhookVerifier {
  /** Whether `url` is this webhook's path (always true without a `path` option). */
  handles(url: string | undefined): boolean
  /** Runs every check in order; resolves to the webhook or the answer to give instead. */
  verify(request: WebhookRequest): Promise<VerifyResult>
}

/** With the envelope check off: any JSON, its object form as data. */
function looseEnvelope(value: unknown): { ok: true; envelope: Envelope } {
  const data = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  return { ok: true, envelope: { event: '', data } }
}

function refusal(p: Problem): VerifyResult {
  return { ok: false, response: problemResponse(p), problem: p }
}

function isScheme(value: unknown): value is AuthScheme {
  return typeof (value as Partial<AuthScheme> | null)?.authenticate === 'function'
}

function normalise<S extends EventSchemas>(options: WebhookOptions<S>, where: string) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${where}: expected an options object, e.g. ${where.replace('()', '')}({ auth: basic(credentials) })`)
  }
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
  const tracker = createDeliveryTracker(options.replay, options.dedupe, where)
  return { schemes: auth, path, maxDepth, schemas, envelope, tracker, limit: parseLimit(options.limit, 'limit', where) }
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
  const { schemes, path, maxDepth, schemas, envelope: requireEnvelope, tracker, limit } = normalise(options, where)
  const credentialFields = Object.freeze(schemes.flatMap((scheme) => (scheme.field === undefined ? [] : [scheme.field])))
  const methodNotAllowed = refusal(problem('method.not_allowed', 'Send webhooks with POST.', { headers: { allow: 'POST' } }))
  const signedButParsed = refusal(rawBodyGone('A signature is verified over the exact body bytes, but a body parser consumed them before the webhook middleware.'))
  let warned = false

  /** Everything after authentication that depends on the body. */
  async function payloadOf(request: WebhookRequest, auth: HeaderAuthResult & { ok: true | 'body' }) {
    const read = await readPayload(request.body, limit, request.headers)
    if (!read.ok) {
      if (read.problem.status >= 500 && !warned) {
        warned = true
        process.emitWarning(`${where}: ${read.problem.detail}`, { code: 'WEBHOOK_TRIGGER_BODY_GONE' })
      }
      return refusal(read.problem)
    }
    let who: Authenticated
    if (auth.ok === 'body') {
      if (read.bytes === undefined) return signedButParsed
      const signed = await auth.finish(read.bytes)
      if (!signed.ok) return refusal(signed.problem)
      who = signed.who
    } else {
      who = auth.who
    }
    const parsed = read.bytes === undefined ? checkParsed(read.parsed, maxDepth) : parseJson(read.bytes, maxDepth)
    if (!parsed.ok) return refusal(parsed.problem)
    return { who, bytes: read.bytes, value: parsed.value }
  }

  return {
    handles: pathMatcher(path),

    async verify(request) {
      const { headers } = request
      if (request.method !== 'POST') return methodNotAllowed
      const auth = await authenticate(schemes, headers, request.rawHeaders)
      if (auth.ok === false) return refusal(auth.problem)
      const unsupported = checkMediaType(headers)
      if (unsupported !== undefined) return refusal(unsupported)
      const declared = headers['content-length']
      if (declared !== undefined && Number(declared) > limit) return refusal(tooLarge(limit))

      const payload = await payloadOf(request, auth)
      if ('ok' in payload) return payload
      const envelope = requireEnvelope ? checkEnvelope(payload.value) : looseEnvelope(payload.value)
      if (!envelope.ok) return refusal(envelope.problem)
      const { event } = envelope.envelope
      let data: unknown = envelope.envelope.data
      const schema = schemas.get(event)
      if (schema !== undefined) {
        const valid = await validateSchema(schema, data, event)
        if (!valid.ok) return refusal(valid.problem)
        data = valid.value
      }
      const tracked = await tracker.track(payload.who, headers, payload.value, payload.bytes)
      if ('response' in tracked) return { ok: false, response: tracked.response, problem: tracked.problem }
      const { id, settle } = tracked
      const webhook: VerifiedWebhook = {
        id,
        tenant: payload.who.tenant,
        scheme: payload.who.scheme,
        event,
        data: data as Record<string, unknown>,
        payload: payload.value,
        rawBody: payload.bytes,
        receivedAt: new Date(),
        credentialFields,
      }
      return settle === undefined ? { ok: true, webhook } : { ok: true, webhook, settle }
    },
  }
}
