// Messages of the drain measurement (npm run bench:drain) between the runner,
// the sender process and the counting upstream. Times are milliseconds on the
// machine's monotonic clock (process.hrtime), the same in every process.

/** N events, each with its own idempotency key `${prefix}${i}`. */
export interface DrainJob {
  url: string
  /** Events to send. */
  n: number
  prefix: string
  connections: number
  headers: Record<string, string>
  body: string
}

export interface SendResult {
  firstSendAt: number
  lastAnswerAt: number
  /** When each 202 arrived, in send order of completion. */
  acceptedAt: number[]
  p50Ms: number
  p99Ms: number
  /** Answers other than 202, by status. */
  statusCodes: Record<string, number>
  non202: number
  errors: number
  /** CPU time the sender used, in microseconds: near its wall time, the sender was the limit. */
  senderCpuMicros: number
}

export type ToSender = { type: 'send'; job: DrainJob }
export type FromSender = { type: 'ready' } | { type: 'sent'; outcome: { ok: true; result: SendResult } | { ok: false; message: string } }

/** What the upstream saw of the keys `${prefix}0` .. `${prefix}${n - 1}`. */
export interface Arrivals {
  /** Requests that arrived, any key. */
  total: number
  /** Keys of the job that arrived exactly once / more than once / not yet. */
  once: number
  duplicated: number
  missing: number
  /** Requests whose key is not one of the job's (or none). */
  stray: number
  /** First arrival of each key that arrived, unordered; only when asked for. */
  firstAt?: number[]
  lastAt: number
}

export type ToUpstream = { type: 'count'; prefix: string; n: number } | { type: 'arrivals'; times: boolean }
export type FromUpstream = { type: 'arrivals'; arrivals: Arrivals }
