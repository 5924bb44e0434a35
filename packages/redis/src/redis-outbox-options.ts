import { type Logger, RETENTION_KEYS, type Retention, type RetentionOptions, checkLogger, checkOptions, createLog, errorFields, optionKeys, resolveRetention } from '@webhook-trigger/core'
import type { RedisOptions } from 'bullmq'

/**
 * Retention of delivered events: BullMQ trims completed jobs past `maxDelivered`
 * or older than `keepDelivered` (rounded up to whole seconds) as each job
 * completes; the background purge catches up on age when none completes.
 */
export interface RedisOutboxOptions extends RetentionOptions {
  /**
   * The Redis to use: a `redis://` or `rediss://` URL, or ioredis options
   * (`{ host, port, password, tls, ... }`). Every process that delivers these
   * events points at the same one.
   * @default 'redis://127.0.0.1:6379'
   */
  connection?: string | RedisOptions
  /**
   * The BullMQ queue name, shared by every process that delivers these events.
   * @default 'webhook-trigger'
   */
  queue?: string
  /**
   * Prefix of every Redis key of the queue (BullMQ's `prefix`).
   * @default 'bull'
   */
  prefix?: string
  /**
   * How often, in ms, a sweep (BullMQ's stalled-job check) puts back in line a
   * message whose lease expired unsettled, e.g. its process died. One sweep runs
   * per interval across all processes sharing the queue. A message leased at L
   * for D ms is leased again by max(L + D, S + I) + I, I being this interval and
   * S the start of the live process: with a 30 s lease, a process restarted
   * after a crash resumes its predecessor's deliveries within a minute of the
   * crash when the restart takes under 40 s.
   * @default 10000
   */
  stalledInterval?: number
  /**
   * The lease length the deliverer asks for (its `leaseMs`), in ms. Set it to
   * the same value: a job is then leased with this lock in one atomic step,
   * while a different length needs a second call, and a process killed between
   * the two leaves the job locked for this long.
   * @default 30000
   */
  leaseMs?: number
  /**
   * Longest wait, in ms, for Redis to answer one call. An `enqueue` that is
   * not committed by then rejects, and `forward()` answers that event `503`
   * (`outbox.unavailable`, `Retry-After`) instead of `202`, so a sender never
   * waits on a Redis that is down, restarting or hung. A rejected enqueue may
   * still land if its write reached Redis before it went quiet: the event is
   * then delivered although its sender got `503`, and the sender's retry (with
   * the same id) is a duplicate. `close()` waits this long for Redis, then
   * drops the connections.
   * @default 3000
   */
  commitTimeout?: number
  /**
   * Called with errors of the Redis connections that no call is waiting for
   * (a connection lost, a failed sweep).
   * @default a warning through `logger`: `redis connection error`, with `error` and `errorCode`
   */
  onError?: (error: Error) => void
  /**
   * Where to log: a pino or bunyan logger.
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
}

export interface ResolvedOptions {
  leaseMs: number
  commitTimeout: number
  connection: RedisOptions
  queue: string
  prefix: string
  stalledInterval: number
  onError: (error: Error) => void
  retention: Retention
}

const WHERE = 'redisOutbox()'
const KEYS = optionKeys<RedisOutboxOptions>()('connection', 'queue', 'prefix', 'stalledInterval', 'leaseMs', 'commitTimeout', 'onError', 'logger', ...RETENTION_KEYS)

/**
 * Reconnect attempts back off to one every 2 s and stay there: intake resumes
 * within 2 s of Redis coming back (BullMQ's own default backs off to 20 s).
 */
export const reconnectDelay = (attempt: number): number => Math.min(attempt * 200, 2000)

function connectionOf(connection: string | RedisOptions | undefined, commitTimeout: number): RedisOptions {
  // Without an offline queue a call fails at once while the connection is down, instead of waiting
  // for it; the command timeout bounds a call on a connection that is up but gets no answer (a hung Redis).
  const bounded = { enableOfflineQueue: false, commandTimeout: commitTimeout, retryStrategy: reconnectDelay }
  if (connection === undefined) return { ...bounded, url: 'redis://127.0.0.1:6379' }
  if (typeof connection === 'object' && connection !== null) return { ...bounded, ...connection }
  let url: URL | undefined
  try {
    url = new URL(String(connection))
  } catch {
    url = undefined
  }
  if (url?.protocol !== 'redis:' && url?.protocol !== 'rediss:') {
    throw new TypeError(`${WHERE}: "connection" must be a redis:// URL or ioredis options, e.g. connection: 'redis://127.0.0.1:6379'`)
  }
  return { ...bounded, url: String(connection) }
}

function name(option: 'queue' | 'prefix', value: string): string {
  if (typeof value !== 'string' || value === '' || value.includes(':')) {
    throw new TypeError(`${WHERE}: "${option}" must be a non-empty name without ':', e.g. ${option}: 'webhook-trigger'`)
  }
  return value
}

/** Copies, defaults and validates once, at creation. */
export function resolveOptions(options: RedisOutboxOptions = {}): ResolvedOptions {
  checkOptions(WHERE, options, KEYS)
  const { stalledInterval = 10_000, leaseMs = 30_000, commitTimeout = 3000 } = options
  // Node runs a timer of more than 2^31 - 1 ms after 1 ms.
  if (!Number.isInteger(commitTimeout) || commitTimeout <= 0 || commitTimeout > 2 ** 31 - 1) {
    throw new TypeError(`${WHERE}: "commitTimeout" must be a whole number of ms above 0, e.g. commitTimeout: 3000`)
  }
  if (!Number.isInteger(leaseMs) || leaseMs <= 0) throw new TypeError(`${WHERE}: "leaseMs" must be a whole number of ms above 0, e.g. leaseMs: 30000`)
  if (!Number.isInteger(stalledInterval) || stalledInterval <= 0) {
    throw new TypeError(`${WHERE}: "stalledInterval" must be a whole number of ms above 0, e.g. stalledInterval: 10000`)
  }
  const log = createLog(checkLogger(options.logger, WHERE), 'redisOutbox')
  const onError = options.onError ?? ((error: Error) => log.warn(errorFields(error), 'redis connection error'))
  if (typeof onError !== 'function') throw new TypeError(`${WHERE}: "onError" must be a function, e.g. onError: (error) => log.warn(error)`)
  return {
    connection: connectionOf(options.connection, commitTimeout),
    queue: name('queue', options.queue ?? 'webhook-trigger'),
    prefix: name('prefix', options.prefix ?? 'bull'),
    stalledInterval,
    leaseMs,
    commitTimeout,
    onError,
    retention: resolveRetention(options, WHERE),
  }
}
