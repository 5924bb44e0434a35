/**
 * Throws a `TypeError` when `options` holds a key that `known` does not list,
 * naming the key and the closest known one: plain JavaScript gets the check
 * TypeScript makes at compile time, so `{ pth: '/webhook' }` fails at
 * creation instead of silently meaning "no path". Every factory of
 * webhook-trigger calls it once, when it is created; `undefined` or a
 * non-object is left to the factory's own checks.
 *
 * @param where the factory, as its messages name it, e.g. `"webhook()"`
 * @param options what the caller passed
 * @param known every key the factory reads
 * @param what the object's name in the message, for nested options
 * @default what = "option"
 * @example
 * checkOptions('webhook()', { pth: '/webhook' }, ['auth', 'path'])
 * // TypeError: webhook(): unknown option "pth"; did you mean "path"? Known options: auth, path
 */
export function checkOptions(where: string, options: unknown, known: readonly string[], what = 'option'): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const near = closest(key, known)
    const hint = near === undefined ? '.' : `; did you mean "${near}"?`
    throw new TypeError(`${where}: unknown ${what} "${key}"${hint} Known ${what}s: ${known.join(', ')}`)
  }
}

/** The known key nearest to `key`, when it is near enough to be a typo (or differs only in case). */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i])
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = d
    }
  }
  return rows[a.length]![b.length]!
}

/**
 * Every key of `T`, listed once: the compiler refuses the list when it misses
 * one, so an option added to an interface cannot be forgotten by its check.
 *
 * @example
 * const KNOWN = optionKeys<ClientOptions>()('url', 'auth', 'sign', 'timeout', 'retry', 'fetch', 'maxResponseBytes')
 */
export function optionKeys<T extends object>() {
  return <const K extends readonly (keyof T & string)[]>(
    ...keys: K & (Exclude<keyof T, K[number]> extends never ? unknown : { missing: Exclude<keyof T, K[number]> })
  ): readonly string[] => keys
}
