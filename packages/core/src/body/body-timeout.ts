/**
 * 10 s for the whole body, counted from when we start reading it, as hapi's
 * `payload.timeout`. GitHub gives a whole delivery 10 s, so a body still
 * arriving after that has no sender left waiting for the answer; at the
 * default 1 MiB limit it asks for about 100 KB/s.
 */
export const DEFAULT_BODY_TIMEOUT = 10_000

/** setTimeout's largest delay: a longer one fires after 1 ms instead. */
const MAX_DELAY = 2 ** 31 - 1

/**
 * Parses the `bodyTimeout` option: a whole number of milliseconds. Zero,
 * negative, fractional or oversized values throw rather than meaning
 * "no timeout" or "fire at once".
 *
 * @example
 * parseBodyTimeout(options.bodyTimeout, 'webhook()') // 10000 when not given
 */
export function parseBodyTimeout(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_BODY_TIMEOUT
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > MAX_DELAY) {
    throw new TypeError(`${where}: "bodyTimeout" must be a whole number of milliseconds from 1 to ${MAX_DELAY}, e.g. bodyTimeout: 10_000, got ${typeof value === 'number' ? value : typeof value}`)
  }
  return value
}
