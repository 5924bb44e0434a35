import { checkOptions, optionKeys } from './check-options.js'
/** What one delivery attempt ended with, as the retry policy sees it. */
export type AttemptOutcome =
  | { status: number; retryAfter?: string | null }
  | { error: 'timeout' | 'network' }

export type RetryDecision = { retry: true; delay: number } | { retry: false }

export interface RetryPolicyOptions {
  /**
   * Retries after the first attempt.
   * @default 2
   */
  retries?: number
  /**
   * Ceiling of the first backoff, in ms; it doubles per retry (full jitter: the wait is random below it).
   * @default 250
   */
  baseDelay?: number
  /**
   * Largest backoff ceiling, in ms.
   * @default 1000
   */
  maxDelay?: number
  /**
   * Longest `Retry-After` we wait for, in ms. When the receiver asks for longer,
   * we stop retrying rather than come back early.
   * @default 2000
   */
  maxRetryAfter?: number
  /**
   * A fixed schedule instead of backoff: the wait before each retry, in ms
   * (`retries` becomes its length, and there is no jitter).
   * @default undefined: exponential backoff
   */
  delays?: readonly number[]
  /** Source of randomness for jitter, in [0, 1). @default Math.random */
  random?: () => number
}

/**
 * Standard Webhooks' schedule after the first attempt: 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h. For queued delivery, where the caller is not waiting.
 */
export const STANDARD_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000].map((s) => s * 1000)

export interface RetryPolicy {
  readonly retries: number
  /** Whether to retry after attempt number `attempt` (1-based) ended with `outcome`, and after how long. */
  next(outcome: AttemptOutcome, attempt: number, now?: number): RetryDecision
}

/**
 * Statuses worth another try: 408, 429 and 5xx except 501 (not implemented
 * will not change). Everything else, 410 included, is final.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501)
}

/**
 * `Retry-After` (RFC 9110 section 10.2.3) in ms from `now`: delay-seconds
 * (digits only) or an HTTP date. `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP date names a weekday and "GMT"; Date.parse alone accepts far looser text.
  if (!/^[A-Za-z]{3},? .*GMT$/.test(trimmed)) return undefined
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`retry: "${name}" must be a non-negative number, got ${value}`)
  return value
}

/**
 * Exponential backoff with full jitter, honouring `Retry-After` and never
 * retrying sooner than it asks.
 *
 * @example
 * const policy = createRetryPolicy({ retries: 2 })
 * policy.next({ status: 503, retryAfter: '1' }, 1) // { retry: true, delay: 1000 }
 */
const RETRY_KEYS = optionKeys<RetryPolicyOptions>()('retries', 'baseDelay', 'maxDelay', 'maxRetryAfter', 'delays', 'random')

export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  checkOptions('retry', options, RETRY_KEYS)
  const delays = options.delays?.map((delay, i) => nonNegative(`delays[${i}]`, delay))
  const retries = delays?.length ?? nonNegative('retries', options.retries ?? 2)
  if (!Number.isInteger(retries)) throw new TypeError(`retry: "retries" must be an integer, got ${retries}`)
  const baseDelay = nonNegative('baseDelay', options.baseDelay ?? 250)
  const maxDelay = nonNegative('maxDelay', options.maxDelay ?? 1000)
  const maxRetryAfter = nonNegative('maxRetryAfter', options.maxRetryAfter ?? 2000)
  const random = options.random ?? Math.random

  return {
    retries,
    next(outcome, attempt, now = Date.now()) {
      if (attempt > retries) return { retry: false }
      if ('status' in outcome && !isRetryableStatus(outcome.status)) return { retry: false }
      const jittered = delays?.[attempt - 1] ?? Math.floor(random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)))
      const asked = 'status' in outcome ? parseRetryAfter(outcome.retryAfter, now) : undefined
      if (asked === undefined) return { retry: true, delay: jittered }
      if (asked > maxRetryAfter) return { retry: false }
      return { retry: true, delay: Math.max(jittered, asked) }
    },
  }
}
