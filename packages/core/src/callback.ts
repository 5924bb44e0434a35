/**
 * A Node-style callback, called once: `(null, value)` or `(error, undefined)`.
 * Typed so that after `if (error !== null) return`, `value` is a `T`.
 */
export type Callback<T> = (...outcome: [error: null, value: T] | [error: Error, value: undefined]) => void

/** The promise of what `start` calls back with. */
export function promised<T>(start: (done: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((error, value) => (error === null ? resolve(value) : reject(error))))
}

/** What was thrown, as an Error: a non-Error value becomes the `cause` of one. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(`verify(): a step failed with ${String(thrown)}`, { cause: thrown })
}

/**
 * Runs `step`, then `next` with its value: at once when it returned one,
 * once settled when it returned a promise. A throw or a rejection goes to
 * `fail`. `next` runs outside the try, so nothing it throws is taken for the
 * step's failure and reported a second time.
 */
export function after<T>(step: () => T | Promise<T>, next: (value: T) => void, fail: (error: Error) => void): void {
  let value: T | Promise<T>
  try {
    value = step()
  } catch (error) {
    return fail(asError(error))
  }
  if (value instanceof Promise) value.then(next, (error: unknown) => fail(asError(error)))
  else next(value)
}
