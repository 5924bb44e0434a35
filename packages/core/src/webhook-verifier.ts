import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { authenticate } from './auth/authenticate.js'
import type { AuthScheme } from './auth/scheme.js'
import type { BodySource } from './body/body-source.js'
import { parseLimit } from './body/limit.js'
import { checkPath, pathMatcher } from './path.js'
import { checkMediaType } from './body/media-type.js'
import { readBody, tooLarge } from './body/read-body.js'
import { type Envelope, checkEnvelope } from './payload/envelope.js'
import { DEFAULT_MAX_DEPTH, type ParseResult, inspectValue, parseJson } from './payload/parse-json.js'
import { isStandardSchema, validateSchema } from './payload/schema.js'
import { type Problem, problem } from './problem.js'
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

export type VerifyResult = { ok: true; webhook: VerifiedWebhook } | { ok: false; problem: Problem }

export interface WebhookVerifier {
  /** Whether `url` is this webhook's path (always true without a `path` option). */
  handles(url: string | undefined): boolean
  /** Runs every check in order; resolves to the webhook or the problem to answer with. */
  verify(request: WebhookRequest): Promise<VerifyResult>
}

const ID_PATTERN = /^[\x21-\x7e]{1,255}$/

function webhookId(headers: IncomingHttpHeaders): string {
  const given = headers['webhook-id'] ?? headers['idempotency-key']
  return typeof given === 'string' && ID_PATTERN.test(given) ? given : randomUUID()
}

/** With the envelope check off: any JSON, its object form as data. */
function looseEnvelope(value: unknown): { ok: true; envelope: Envelope } {
  const data = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  return { ok: true, envelope: { event: '', data } }
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
  return { auth, path, maxDepth, schemas, envelope, limit: parseLimit(options.limit, 'limit', where) }
}

/**
 * The framework-neutral webhook endpoint: method, credentials, media type,
 * size, JSON, envelope and schema, in that order. Adapters call it and write
 * its answer; it never throws for bad input.
 *
 * @example
 * const verifier = createWebhookVerifier({ auth: basic(tenants({ tenant123: 'api_token_abc123' })) })
 * const result = await verifier.verify({ method: req.method, headers: req.headers, body: bodySource(req) })
 */
export function createWebhookVerifier<S extends EventSchemas>(
  options: WebhookOptions<S>,
  where = 'createWebhookVerifier()',
): WebhookVerifier {
  const { auth, path, maxDepth, schemas, envelope: requireEnvelope, limit } = normalise(options, where)
  const credentialFields = Object.freeze([...new Set(auth.map((scheme) => scheme.field))])
  const bodyGone = problem(
    'server.raw_body_unavailable',
    'Something read the request body before the webhook middleware and kept neither the bytes nor a parsed value; mount the webhook middleware before it.',
  )
  let warned = false
  const warnOnce = (): void => {
    if (warned) return
    warned = true
    process.emitWarning(`${where}: ${bodyGone.detail}`, { code: 'WEBHOOK_TRIGGER_BODY_GONE' })
  }
  const methodNotAllowed = problem('method.not_allowed', 'Send webhooks with POST.', { headers: { allow: 'POST' } })

  async function parse(body: BodySource, headers: IncomingHttpHeaders): Promise<ParseResult & { rawBody?: Buffer }> {
    switch (body.kind) {
      case 'stream': {
        const read = await readBody(body.stream, limit, headers['content-length'])
        return read.ok ? { ...parseJson(read.bytes, maxDepth), rawBody: read.bytes } : read
      }
      case 'bytes': {
        if (body.bytes.length > limit) return { ok: false, problem: tooLarge(limit) }
        const bytes = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength)
        return { ...parseJson(bytes, maxDepth), rawBody: bytes }
      }
      case 'parsed': {
        const found = inspectValue(body.value, maxDepth)
        return found === undefined ? { ok: true, value: body.value } : { ok: false, problem: found }
      }
      case 'gone':
        warnOnce()
        return { ok: false, problem: bodyGone }
    }
  }

  return {
    handles: pathMatcher(path),

    async verify(request) {
      const { headers } = request
      if (request.method !== 'POST') return { ok: false, problem: methodNotAllowed }
      const who = await authenticate(auth, headers, request.rawHeaders)
      if (!who.ok) return who
      const unsupported = checkMediaType(headers)
      if (unsupported !== undefined) return { ok: false, problem: unsupported }
      const declared = headers['content-length']
      if (declared !== undefined && Number(declared) > limit) return { ok: false, problem: tooLarge(limit) }

      const parsed = await parse(request.body, headers)
      if (!parsed.ok) return parsed
      const envelope = requireEnvelope ? checkEnvelope(parsed.value) : looseEnvelope(parsed.value)
      if (!envelope.ok) return envelope
      const { event } = envelope.envelope
      let data: unknown = envelope.envelope.data
      const schema = schemas.get(event)
      if (schema !== undefined) {
        const valid = await validateSchema(schema, data, event)
        if (!valid.ok) return valid
        data = valid.value
      }
      const webhook: VerifiedWebhook = {
        id: webhookId(headers),
        tenant: who.tenant,
        scheme: who.scheme,
        event,
        data: data as Record<string, unknown>,
        payload: parsed.value,
        rawBody: parsed.rawBody,
        receivedAt: new Date(),
        credentialFields,
      }
      return { ok: true, webhook }
    },
  }
}
