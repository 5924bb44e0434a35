/** How long an outbox keeps delivered events and their attempts; each store takes these options. */
export interface RetentionOptions {
  /**
   * How long a delivered event stays listable with its attempts, in ms from its
   * delivery; a background purge deletes it after that. `0` keeps none: a delivered
   * event is deleted at once.
   * @default 604800000 (7 days)
   */
  keepDelivered?: number
  /**
   * Most delivered events kept, whatever their age; the oldest go first. `0` keeps none.
   * @default 10000
   */
  maxDelivered?: number
  /**
   * How often the background purge of delivered events runs, in ms. Its timer is
   * unref'd: it never keeps the process alive.
   * @default 60000
   */
  purgeInterval?: number
}

export type Retention = Required<RetentionOptions>

/** The retention option keys, for the unknown-option check of every outbox factory. */
export const RETENTION_KEYS = ['keepDelivered', 'maxDelivered', 'purgeInterval'] as const

const DAY = 24 * 3600 * 1000
// Node runs a timer of more than 2^31 - 1 ms after 1 ms.
const MAX_TIMER = 2 ** 31 - 1

/** Copies, defaults and validates the retention options of an outbox factory, once. */
export function resolveRetention(options: RetentionOptions | undefined, where: string, defaultMax = 10_000): Retention {
  const { keepDelivered = 7 * DAY, maxDelivered = defaultMax, purgeInterval = 60_000 } = options ?? {}
  if (!Number.isSafeInteger(keepDelivered) || keepDelivered < 0) {
    throw new TypeError(`${where}: "keepDelivered" must be a whole number of ms, 0 or more, e.g. keepDelivered: 604800000 (7 days)`)
  }
  if (!Number.isSafeInteger(maxDelivered) || maxDelivered < 0) {
    throw new TypeError(`${where}: "maxDelivered" must be a whole number of events, 0 or more, e.g. maxDelivered: 10000`)
  }
  if (!Number.isSafeInteger(purgeInterval) || purgeInterval < 1 || purgeInterval > MAX_TIMER) {
    throw new TypeError(`${where}: "purgeInterval" must be a whole number of ms from 1 to ${MAX_TIMER}, e.g. purgeInterval: 60000`)
  }
  return { keepDelivered, maxDelivered, purgeInterval }
}

/** Whether delivered events are kept at all. */
export const keepsDelivered = (retention: Retention): boolean => retention.keepDelivered > 0 && retention.maxDelivered > 0

/**
 * Runs `purge` every `interval` ms on an unref'd timer until `stop()`. A purge
 * that throws is reported to `onError` and tried again next time.
 */
export function purgeTimer(interval: number, purge: () => unknown, onError: (error: unknown) => void): { stop(): void } {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    Promise.resolve()
      .then(purge)
      .catch(onError)
      .finally(() => (running = false))
  }, interval)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
