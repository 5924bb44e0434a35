import bytes from 'bytes'

/** 1 MiB, as body-parser. */
export const DEFAULT_LIMIT = 1024 * 1024

// bytes.parse() reads "10 whatever" as 10, so the whole string is checked first.
const SIZE = /^\s*\d+(?:\.\d+)?\s*(?:b|kb|mb|gb)?\s*$/i

/**
 * Parses a size option (`1048576`, `'1mb'`, `'512kb'`). Anything that is not a
 * positive size throws: an unparseable limit must never mean "no limit"
 * (the body-parser CVE).
 */
export function parseLimit(value: number | string | undefined, option: string, where: string): number {
  if (value === undefined) return DEFAULT_LIMIT
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && SIZE.test(value) ? bytes.parse(value) : null
  if (parsed === null || !Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new TypeError(`${where}: "${option}" must be a positive byte count or a size such as "1mb", got ${JSON.stringify(value)}`)
  }
  return parsed
}
