/**
 * Every way a request can be refused, as one table: stable machine code ->
 * HTTP status and title. Tests walk this table row by row; docs/errors.md
 * is written from it.
 */
export const PROBLEMS = {
  'auth.missing': { status: 401, title: 'Credentials required' },
  'auth.invalid': { status: 401, title: 'Invalid credentials' },
  'auth.malformed': { status: 400, title: 'Malformed credentials' },
  'auth.duplicate': { status: 400, title: 'More than one Authorization header' },
  'signature.missing': { status: 401, title: 'Signature header missing' },
  'signature.malformed': { status: 401, title: 'Malformed signature' },
  'signature.stale': { status: 401, title: 'Signature timestamp outside the tolerance' },
  'signature.invalid': { status: 401, title: 'Signature does not match' },
  'method.not_allowed': { status: 405, title: 'Method not allowed' },
  'media.unsupported': { status: 415, title: 'Unsupported media type' },
  'media.encoding': { status: 415, title: 'Unsupported content encoding' },
  'payload.too_large': { status: 413, title: 'Payload too large' },
  'payload.incomplete': { status: 400, title: 'Incomplete payload' },
  'payload.timeout': { status: 408, title: 'Payload not received in time' },
  'payload.empty': { status: 400, title: 'Empty payload' },
  'payload.invalid_utf8': { status: 400, title: 'Payload is not valid UTF-8' },
  'payload.malformed': { status: 400, title: 'Malformed JSON' },
  'payload.too_deep': { status: 400, title: 'JSON nested too deeply' },
  'payload.forbidden_key': { status: 400, title: 'Forbidden JSON key' },
  'payload.envelope': { status: 422, title: 'Not a webhook envelope' },
  'payload.schema': { status: 422, title: 'Payload does not match the event schema' },
  'payload.conflict': { status: 409, title: 'Delivery id reused with a different body' },
  'payload.in_progress': { status: 409, title: 'Delivery already being processed' },
  'log.unavailable': { status: 503, title: 'Delivery log unavailable' },
  'outbox.unavailable': { status: 503, title: 'Event store unavailable' },
  'admin.not_found': { status: 404, title: 'Not found' },
  'admin.bad_request': { status: 400, title: 'Bad admin request' },
  'admin.cross_site': { status: 403, title: 'Cross-site request refused' },
  'server.raw_body_unavailable': { status: 500, title: 'Raw body unavailable' },
  'server.needs_webhook': { status: 500, title: 'forward() needs webhook() before it' },
  'transform.invalid': { status: 500, title: 'Transform result is not a webhook envelope' },
  'upstream.unreachable': { status: 502, title: 'Upstream unreachable' },
  'upstream.redirect': { status: 502, title: 'Upstream redirected' },
  'upstream.timeout': { status: 504, title: 'Upstream timed out' },
} as const satisfies Record<string, { status: number; title: string }>

export type ProblemCode = keyof typeof PROBLEMS

/** One failing field, as in RFC 9457 section 3's example: a JSON Pointer and what is wrong there. */
export interface FieldError {
  pointer: string
  detail: string
}

/**
 * An RFC 9457 problem, plus the response headers it needs
 * (`WWW-Authenticate` on 401, `Allow` on 405).
 */
export interface Problem {
  type: string
  code: ProblemCode
  title: string
  status: number
  detail: string
  errors?: FieldError[]
  headers?: Record<string, string | string[]>
}

/** A response ready to write: adapters copy it onto their framework's response. */
export interface WebhookResponse {
  status: number
  headers: Record<string, string | string[]>
  body: string | Uint8Array
}

const TYPE_PREFIX = 'urn:webhook-trigger:problem:'

/**
 * Builds the problem for `code`. `detail` is shown to the caller: it must
 * never contain a credential.
 *
 * @example
 * problem('payload.too_large', 'The body exceeds the 1048576-byte limit.')
 */
export function problem(
  code: ProblemCode,
  detail: string,
  extra?: Pick<Problem, 'errors' | 'headers'>,
): Problem {
  const { status, title } = PROBLEMS[code]
  return { type: TYPE_PREFIX + code, code, title, status, detail, ...extra }
}

/**
 * Serialises a problem as `application/problem+json`.
 *
 * @example
 * const { status, headers, body } = problemResponse(result.problem)
 */
export function problemResponse(p: Problem): WebhookResponse {
  const { headers, ...fields } = p
  return {
    status: p.status,
    headers: { ...headers, 'content-type': 'application/problem+json' },
    body: JSON.stringify(fields),
  }
}
