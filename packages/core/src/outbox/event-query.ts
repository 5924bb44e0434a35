import type { Activity, Attempt } from './outbox.js'

/** Where a page ended: a number that orders events (a sequence or a time) and a tie-breaking key. */
export type CursorKey = readonly [number, string]

/** The opaque `next` of an event page. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** The key inside a cursor, or `undefined` for anything a store did not make. Never throws. */
export function decodeCursor(cursor: string | undefined): CursorKey | undefined {
  if (cursor === undefined || cursor.length > 1024) return undefined
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    return Array.isArray(key) && key.length === 2 && Number.isFinite(key[0]) && typeof key[1] === 'string' ? [key[0] as number, key[1]] : undefined
  } catch {
    return undefined
  }
}

/** Empty counters from `since` to `until`, and a function counting one time into one of them. */
export function activityBuckets(since: number, until: number, bucket: number) {
  const size = Math.max(0, Math.ceil((until - since) / bucket))
  const activity: Activity = { since, bucket, received: Array<number>(size).fill(0), delivered: Array<number>(size).fill(0), failed: Array<number>(size).fill(0) }
  const count = (series: number[], at: number) => {
    const i = Math.floor((at - since) / bucket)
    if (i >= 0 && i < size) series[i]!++
  }
  return { activity, count }
}

/** Whether an attempt failed: no answer, or an answer outside 2xx. */
export const failed = (attempt: Attempt): boolean => attempt.status === undefined || attempt.status < 200 || attempt.status >= 300

/** Longest upstream answer kept with an attempt, in bytes. */
export const RESPONSE_EXCERPT = 1024

/** The first KiB of an answer as text; a character cut in two at the end is dropped. */
export function excerpt(body: Uint8Array | undefined): string | undefined {
  if (body === undefined || body.byteLength === 0) return undefined
  const text = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, RESPONSE_EXCERPT)).toString('utf8')
  return body.byteLength > RESPONSE_EXCERPT ? text.replace(/\uFFFD$/, '') : text
}
