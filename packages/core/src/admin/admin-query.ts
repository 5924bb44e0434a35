import { decodeCursor } from '../outbox/event-query.js'
import type { EventQuery, EventState } from '../outbox/outbox.js'

const STATES: readonly EventState[] = ['pending', 'dead', 'delivered']

/** Epoch ms from `1733472000000` or an ISO 8601 time; `undefined` when absent, `NaN` when unreadable. */
function time(value: string | null): number | undefined {
  if (value === null || value === '') return undefined
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value)
}

/** The list query of `GET /events`, or what is wrong with it. */
export function readEventQuery(query: URLSearchParams): EventQuery | string {
  const state = (query.get('state') ?? 'dead') as EventState
  if (!STATES.includes(state)) return 'state must be "pending", "dead" or "delivered".'
  const limit = Number(query.get('limit') ?? 100)
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) return 'limit must be a whole number from 1 to 1000.'
  const from = time(query.get('from'))
  const to = time(query.get('to'))
  if (Number.isNaN(from) || Number.isNaN(to)) return 'from and to must be ISO 8601 times or epoch milliseconds.'
  const cursor = query.get('cursor') ?? undefined
  if (cursor !== undefined && decodeCursor(cursor) === undefined) return 'cursor must be the "next" of an earlier answer.'
  const event = query.get('event') || undefined
  const tenant = query.get('tenant') || undefined
  return { state, limit, ...(from !== undefined && { from }), ...(to !== undefined && { to }), ...(cursor && { cursor }), ...(event && { event }), ...(tenant && { tenant }) }
}
