import { type FieldError, type Problem, problem } from '../problem.js'

/** The inbound webhook's JSON shape: `{ "event": "...", "data": { ... } }`. */
export interface Envelope {
  event: string
  data: Record<string, unknown>
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Checks the envelope, naming every failing field as a JSON Pointer.
 *
 * @example
 * checkEnvelope({ event: 'customer_update', data: { id: '1234' } }) // { ok: true, ... }
 */
export function checkEnvelope(value: unknown): { ok: true; envelope: Envelope } | { ok: false; problem: Problem } {
  // The common case first, allocating nothing but the answer.
  if (isPlainObject(value) && typeof value.event === 'string' && value.event !== '' && isPlainObject(value.data)) {
    return { ok: true, envelope: value as unknown as Envelope }
  }
  const errors: FieldError[] = []
  if (!isPlainObject(value)) {
    const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`
    errors.push({ pointer: '', detail: `must be an object with "event" and "data", not ${kind}` })
  } else {
    if (typeof value.event !== 'string' || value.event === '') {
      errors.push({ pointer: '/event', detail: 'must be a non-empty string' })
    }
    if (!isPlainObject(value.data)) errors.push({ pointer: '/data', detail: 'must be an object' })
  }
  if (errors.length === 0) return { ok: true, envelope: value as Envelope }
  const fields = errors.map((e) => e.pointer || '(root)').join(', ')
  return {
    ok: false,
    problem: problem('payload.envelope', `Send { "event": "name", "data": { ... } }; failing: ${fields}.`, { errors }),
  }
}
