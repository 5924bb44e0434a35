import type { Outbox } from '../outbox/outbox.js'
import type { WebhookResponse } from '../problem.js'

export interface HealthOptions {
  /**
   * How long the store may take to answer, in ms; slower counts as unreachable.
   * @default 2000
   */
  timeout?: number
  /** Unhealthy when more events than this are pending. @default no limit */
  maxPending?: number
  /** Unhealthy when more events than this are dead. @default no limit */
  maxDead?: number
  /** Unhealthy when the oldest pending event is older than this, in seconds. @default no limit */
  maxOldestPendingAgeSeconds?: number
}

export type HealthLimit = 'maxPending' | 'maxDead' | 'maxOldestPendingAgeSeconds'

/** The answer of `GET /admin/health` and of `health()`: 200 when `ok`, else 503. */
export interface Health {
  ok: boolean
  /** Whether the outbox answered within `timeout`. */
  reachable: boolean
  pending?: number
  dead?: number
  /** 0 when nothing is pending. */
  oldestPendingAgeSeconds?: number
  /** The limits exceeded. */
  exceeded?: HealthLimit[]
  /** Why the store counts as unreachable: `timeout`, or the error's class and code. */
  error?: string
}

const LIMITS: readonly HealthLimit[] = ['maxPending', 'maxDead', 'maxOldestPendingAgeSeconds']

/** Copies, defaults and validates once, at creation. */
export function checkHealthOptions<T extends HealthOptions>(options: T | undefined, where: string): T & { timeout: number } {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${where}: "health" must be an object, e.g. health: { maxOldestPendingAgeSeconds: 600 }`)
  }
  const timeout = options?.timeout ?? 2000
  if (!(timeout > 0 && timeout <= 2 ** 31 - 1)) throw new TypeError(`${where}: "health.timeout" must be a number of ms above 0, e.g. 2000; got ${String(timeout)}`)
  for (const limit of LIMITS) {
    const value = options?.[limit]
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new TypeError(`${where}: "health.${limit}" must be a number, 0 or more; got ${String(value)}`)
    }
  }
  return { ...(options as T), timeout }
}

/**
 * Asks the outbox how it is: reachable within `timeout`, pending and dead
 * counts, the oldest pending event's age, and whether any limit is exceeded.
 * Never rejects and never waits longer than `timeout`.
 *
 * @example
 * const health = await checkHealth(outbox, { maxOldestPendingAgeSeconds: 600 })
 * res.status(health.ok ? 200 : 503).json(health)
 */
export async function checkHealth(outbox: Outbox, options: HealthOptions = {}, now: () => number = Date.now): Promise<Health> {
  const { timeout, ...limits } = checkHealthOptions(options, 'checkHealth()')
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeout, 'timeout')))
  let stats
  try {
    stats = await Promise.race([outbox.stats(), late])
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    return { ok: false, reachable: false, error: `${error instanceof Error ? error.name : typeof error}${typeof code === 'string' ? ` ${code}` : ''}` }
  } finally {
    clearTimeout(timer)
  }
  if (stats === 'timeout') return { ok: false, reachable: false, error: 'timeout' }
  const { pending, dead, oldestPendingAt } = stats
  const oldestPendingAgeSeconds = oldestPendingAt === undefined ? 0 : Math.max(0, (now() - oldestPendingAt) / 1000)
  const measured = { maxPending: pending, maxDead: dead, maxOldestPendingAgeSeconds: oldestPendingAgeSeconds }
  const exceeded = LIMITS.filter((limit) => limits[limit] !== undefined && measured[limit] > limits[limit])
  const health: Health = { ok: exceeded.length === 0, reachable: true, pending, dead, oldestPendingAgeSeconds }
  if (exceeded.length > 0) health.exceeded = exceeded
  return health
}

/** The health as an HTTP answer: 200 or 503, JSON, never cached. */
export function healthResponse(health: Health): WebhookResponse {
  return {
    status: health.ok ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(health),
  }
}
