/** Rejected when Redis does not answer a call in time. */
export class RedisTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: Redis did not answer within ${ms} ms`)
    this.name = 'RedisTimeoutError'
  }
}

/**
 * `work`, or a RedisTimeoutError after `ms`. Besides ioredis' own command
 * timeout this also bounds the wait for a first connection, and calls made of
 * several commands. What `work` started goes on: a write may still land.
 *
 * @example
 * await within(queue.add(name, data), 3000, 'redisOutbox() enqueue')
 */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

/** Resolves once `work` settles or `ms` have passed, whichever is first; never rejects. */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return within(work, ms, '').then(
    () => undefined,
    () => undefined,
  )
}
