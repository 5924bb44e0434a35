import type { VerifiedWebhook } from './webhook.js'
import type { WebhookResponse } from './problem.js'

/**
 * Validates the `on` and `handler` options once and returns the lookup the
 * dispatch rule uses: the event's own handler, else the catch-all, else
 * `undefined`.
 */
export function handlerTable<H extends (...args: never[]) => unknown>(
  on: Readonly<Record<string, H | undefined>> | undefined,
  fallback: H | undefined,
  where: string,
): (event: string) => H | undefined {
  if (fallback !== undefined && typeof fallback !== 'function') {
    throw new TypeError(`${where}: "handler" must be a function, e.g. handler: (webhook) => { ... }`)
  }
  const table = new Map<string, H>()
  for (const [event, handle] of Object.entries(on ?? {})) {
    if (handle === undefined) continue
    if (typeof handle !== 'function') {
      throw new TypeError(`${where}: on["${event}"] must be a function, e.g. on: { "${event}": (webhook) => { ... } }`)
    }
    table.set(event, handle)
  }
  return (event) => table.get(event) ?? fallback
}

// The ids we mint (UUIDs) and most senders' ids need no escaping.
const PLAIN_ID = /^[\w.:-]*$/

function quoted(id: string): string {
  const given: unknown = id
  if (typeof given === 'string') return PLAIN_ID.test(given) ? `"${given}"` : JSON.stringify(given)
  // A JavaScript caller's non-string id: as JSON.stringify of the whole object would write it.
  return JSON.stringify(given === undefined ? null : given)
}

/**
 * The answer when a handler ran without answering itself, or no handler was
 * given: 202, with the id the caller can quote. A replay of a delivery that
 * was already handled gets the same answer, marked `replay: true`.
 */
export function acceptedResponse(webhook: Pick<VerifiedWebhook, 'id'>, replay = false): WebhookResponse {
  return {
    status: 202,
    headers: { 'content-type': 'application/json' },
    // Written out rather than JSON.stringify of an object: this is every accepted request's answer.
    body: `{"accepted":true,"id":${quoted(webhook.id)}${replay ? ',"replay":true' : ''}}`,
  }
}

/**
 * True for a promise or any other thenable a handler may return. The
 * dispatch awaits only these: awaiting a handler that returned nothing would cost
 * every request a trip through the microtask queue.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
