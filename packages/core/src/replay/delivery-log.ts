/** What the log knows about a delivery id. */
export type Claim =
  /** First sight: now marked in progress; settle it with complete() or release(). */
  | { state: 'new' }
  /** Seen before: in progress elsewhere, or done; with the SHA-256 (hex) of the body it carried. */
  | { state: 'pending' | 'done'; hash: string }

/**
 * Remembers which deliveries were handled, so a redelivery is answered
 * without running the handler twice (replay protection, de-duplication).
 * Keys are `scheme:tenant:id`; every method takes ttl/now from the caller.
 */
export interface DeliveryLog {
  /** Atomically marks `key` in progress for `pendingMs` unless it is known; says what was known. */
  claim(key: string, hash: string, pendingMs: number, now: number): Promise<Claim>
  /** The handler succeeded: remember `key` as done for `windowMs`. */
  complete(key: string, hash: string, windowMs: number, now: number): Promise<void>
  /** The handler failed: forget the claim, so the sender's retry is handled. */
  release(key: string): Promise<void>
}

/**
 * A delivery log in process memory, bounded by expiry.
 *
 * @example
 * webhook({ auth: standardWebhooks({ secret }), replay: memoryDeliveryLog() })
 */
export function memoryDeliveryLog(): DeliveryLog {
  const entries = new Map<string, { state: 'pending' | 'done'; hash: string; expires: number }>()
  let nextSweep = 0

  // Expired entries go in a sweep at most once a second: O(1) amortised per call.
  function sweep(now: number): void {
    if (now < nextSweep) return
    nextSweep = now + 1000
    for (const [key, entry] of entries) if (entry.expires <= now) entries.delete(key)
  }

  return {
    claim(key, hash, pendingMs, now) {
      sweep(now)
      const known = entries.get(key)
      if (known !== undefined && known.expires > now) return Promise.resolve({ state: known.state, hash: known.hash })
      entries.set(key, { state: 'pending', hash, expires: now + pendingMs })
      return Promise.resolve({ state: 'new' as const })
    },
    complete(key, hash, windowMs, now) {
      entries.set(key, { state: 'done', hash, expires: now + windowMs })
      return Promise.resolve()
    },
    release(key) {
      entries.delete(key)
      return Promise.resolve()
    },
  }
}
