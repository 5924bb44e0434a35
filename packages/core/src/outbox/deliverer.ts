import { setMaxListeners } from 'node:events'
import { type RetryPolicy, type RetryPolicyOptions, STANDARD_SCHEDULE, createRetryPolicy } from '@webhook-trigger/client'
import { type AttemptResult, type Forwarder, outcomeOf } from '../forward/forwarder.js'
import { type Logger, checkLogger, createLog, errorFields, listening } from '../log/logger.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'
import { excerpt } from './event-query.js'
import type { Attempt, Lease, Outbox } from './outbox.js'

/**
 * What `forward()` reports, for logs and metrics. Never carries a credential or a body.
 *
 * - `received`: an event taken for delivery (queued, or about to be relayed).
 * - `attempt`: one request to the upstream, `ok` when it answered 2xx.
 * - `delivered`, `retrying`, `dead`: what a queued attempt decided; `failed`: a relay that gave up.
 *
 * `durationMs` is the attempt's (for an outcome, the attempt that decided it);
 * `status` is the upstream's answer, absent when there was none.
 */
export type DeliveryEvent =
  | { type: 'received'; id: string; tenant?: string; event?: string }
  | { type: 'attempt'; id: string; attempt: number; ok: boolean; durationMs: number; status?: number; error?: string }
  | { type: 'delivered'; id: string; attempts: number; status: number; durationMs?: number }
  | { type: 'retrying'; id: string; attempts: number; nextAttemptAt: number; error: string; status?: number; durationMs?: number }
  | { type: 'dead'; id: string; attempts: number; error: string; status?: number; durationMs?: number }
  | { type: 'failed'; id: string; attempts: number; error: string; status?: number; durationMs?: number }

export interface DelivererOptions {
  /**
   * When to try again after each failed attempt; after the last, the message is dead.
   * A `delays` schedule, or exponential backoff (`retries`, `baseDelay`, `maxDelay`).
   * @default Standard Webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, honouring Retry-After up to 24 h
   */
  retry?: RetryPolicyOptions
  /**
   * How long a worker holds a message before another may take it, in ms.
   * Longer than the forwarder's timeout; a crashed worker's message waits this long.
   * @default 30000
   */
  leaseMs?: number
  /**
   * How often to look for due messages, in ms.
   * @default 1000
   */
  pollInterval?: number
  /**
   * Deliveries in flight at once.
   * @default 8
   */
  concurrency?: number
  /**
   * Events queued by this process and not yet sent once, beyond which each new
   * event's `202` waits (up to `maxWait`) until the backlog is back at this mark:
   * senders faster than delivery are slowed down instead of filling the outbox
   * (and, with `memoryOutbox()`, the heap). The event is stored before it waits.
   * `Infinity` never waits.
   * @default 1000
   */
  highWaterMark?: number
  /**
   * Longest wait for the backlog to fall, in ms; then the `202` is sent anyway,
   * so an upstream that hangs slows senders down but never times them out.
   * @default 5000
   */
  maxWait?: number
  /** Epoch-ms clock, injectable for tests. @default Date.now */
  now?: () => number
  /** Called for every attempt and delivery outcome; one that throws is logged (`listener threw`). */
  onEvent?: (event: DeliveryEvent) => void
  /**
   * Where to log a failing outbox (error, `outbox call failed`, with `error` and `errorCode`).
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
}

export interface Deliverer {
  /** Starts polling; called by `forward()` in queued mode. Idempotent. */
  start(): void
  /** Waits for sends in flight, then leases what is due now and sends it; resolves to how many, once settled. */
  tick(): Promise<number>
  /** Looks for due work at the end of this turn of the event loop instead of at the next poll, e.g. right after an enqueue. */
  wake(): void
  /**
   * Counts one event just queued with `now` = `at`, and wakes the deliverer.
   * Returns a promise to await before answering when the backlog is over
   * `highWaterMark` (it resolves once the backlog is back at the mark, after
   * `maxWait`, or at `close()`), `undefined` otherwise.
   */
  queued(at: number): Promise<void> | undefined
  /** Stops leasing, lets in-flight sends finish for up to `timeout` ms, then releases the rest. */
  close(timeout?: number): Promise<void>
}

const QUEUE_RETRY: RetryPolicyOptions = { delays: STANDARD_SCHEDULE, maxRetryAfter: 24 * 3600 * 1000 }

/** What the outbox keeps of one attempt: never the request, only the first KiB of the answer. */
function attemptOf(result: AttemptResult, at: number, durationMs: number): Attempt {
  const attempt: Attempt = { at, duration: Math.round(durationMs) }
  if (result.kind === 'error') attempt.error = result.message
  else {
    attempt.status = result.status
    const response = excerpt(result.body)
    if (response !== undefined) attempt.response = response
  }
  return attempt
}

/** Milliseconds since `started` (a `performance.now()`), to the microsecond. */
export const elapsed = (started: number): number => Math.round((performance.now() - started) * 1000) / 1000

function describe(result: AttemptResult): { error: string; status?: number } {
  if (result.kind === 'error') return { error: result.message }
  const kind = result.status >= 300 && result.status < 400 ? 'redirect (not followed)' : 'answer'
  return { error: `upstream ${kind} ${result.status}`, status: result.status }
}

/**
 * The background worker of queued mode: leases due messages from an outbox,
 * sends each once per lease, and settles it as delivered, retry later, or dead.
 *
 * @example
 * const deliverer = createDeliverer(outbox, forwarder)
 * deliverer.start()
 * process.on('SIGTERM', () => deliverer.close())
 */
const DELIVERER_KEYS = optionKeys<DelivererOptions>()('retry', 'leaseMs', 'pollInterval', 'concurrency', 'highWaterMark', 'maxWait', 'now', 'onEvent', 'logger')

export function createDeliverer(outbox: Outbox, forwarder: Forwarder, options: DelivererOptions = {}): Deliverer {
  checkOptions('delivery', options, DELIVERER_KEYS)
  // The Standard Webhooks schedule, unless the caller asked for backoff of their own: its
  // delays would override retries, baseDelay and maxDelay.
  const retry = options.retry ?? {}
  const ownBackoff = retry.delays === undefined && (retry.retries !== undefined || retry.baseDelay !== undefined || retry.maxDelay !== undefined)
  const policy: RetryPolicy = createRetryPolicy({ ...(ownBackoff ? { maxRetryAfter: QUEUE_RETRY.maxRetryAfter } : QUEUE_RETRY), ...retry })
  const leaseMs = options.leaseMs ?? 30_000
  const pollInterval = options.pollInterval ?? 1000
  const concurrency = options.concurrency ?? 8
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`delivery: "concurrency" must be a whole number of sends at once, at least 1, e.g. 8; got ${String(concurrency)}`)
  }
  const highWaterMark = options.highWaterMark ?? 1000
  if (!(highWaterMark >= 0) || (highWaterMark !== Infinity && !Number.isSafeInteger(highWaterMark))) {
    throw new TypeError(`delivery: "highWaterMark" must be a whole number of events, or Infinity, e.g. 1000; got ${String(highWaterMark)}`)
  }
  const maxWait = options.maxWait ?? 5000
  // Node runs a timer of more than 2^31 - 1 ms after 1 ms.
  if (!(maxWait >= 0 && maxWait <= 2 ** 31 - 1)) {
    throw new TypeError(`delivery: "maxWait" must be a number of ms from 0 to 2147483647, e.g. 5000; got ${String(maxWait)}`)
  }
  const now = options.now ?? Date.now
  const log = createLog(checkLogger(options.logger, 'delivery'), 'deliverer')
  const report = listening(options.onEvent, log, 'onEvent')
  const inFlight = new Map<Lease, Promise<void>>()
  const abort = new AbortController()
  // Every send listens on this one signal until undici has closed its answer, which can be just
  // after the next send began: up to twice `concurrency`. Node warns of a leak past 10.
  setMaxListeners(Math.max(10, 2 * concurrency), abort.signal)
  let timer: NodeJS.Timeout | undefined
  let closing = false
  let reserved = 0
  let backlog = false
  let soon: NodeJS.Immediate | undefined
  /** Leases asked for and not yet answered, by any poll (timer, wake, finished send). */
  const leasing = new Set<Promise<Lease[]>>()
  /**
   * When each event queued here and not yet sent once was queued, oldest first
   * (from `head` on). Every outbox leases first attempts in the order they were
   * queued, so any lease of an event queued at T (first attempt or retry) means
   * all queued here until T were sent at least once, whichever process sent
   * them. A lease that finds nothing more due empties it.
   */
  let queuedAt: number[] = []
  let head = 0
  const unsent = () => queuedAt.length - head
  /** Answers waiting for the backlog to fall; one per sender connection at most. */
  const waiting = new Set<{ resolve: () => void; timer: NodeJS.Timeout }>()

  function sentUpTo(at: number): void {
    while (head < queuedAt.length && queuedAt[head]! <= at) head++
    if (head === queuedAt.length) {
      queuedAt = []
      head = 0
    } else if (head > 1024 && 2 * head > queuedAt.length) {
      queuedAt = queuedAt.slice(head)
      head = 0
    }
  }

  function letThrough(): void {
    for (const waiter of waiting) {
      clearTimeout(waiter.timer)
      waiter.resolve()
    }
    waiting.clear()
  }

  function wait(): Promise<void> {
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          waiting.delete(waiter)
          resolve()
        }, maxWait),
      }
      waiting.add(waiter)
    })
  }

  async function send(lease: Lease): Promise<void> {
    const { message } = lease
    const { id, attempts } = message
    const at = now()
    const started = performance.now()
    const result = await forwarder.attempt({ body: message.body, headers: message.headers, signal: abort.signal })
    const durationMs = elapsed(started)
    if (closing && result.kind === 'error' && abort.signal.aborted) {
      await outbox.release(lease)
      return
    }
    const ok = result.kind === 'response' && result.status >= 200 && result.status < 300
    const record = attemptOf(result, at, durationMs)
    const { error, status } = describe(result)
    // Reported once settled in the outbox, so what a listener does cannot hold the settlement up.
    const attempt: DeliveryEvent = ok ? { type: 'attempt', id, attempt: attempts, ok, durationMs, status } : { type: 'attempt', id, attempt: attempts, ok, durationMs, status, error }
    if (ok) {
      await outbox.complete(lease, record)
      report(attempt)
      return report({ type: 'delivered', id, attempts, status: status!, durationMs })
    }
    const decision = policy.next(outcomeOf(result), attempts, now())
    if (!decision.retry) {
      await outbox.bury(lease, error, status, record)
      report(attempt)
      return report({ type: 'dead', id, attempts, error, status, durationMs })
    }
    const nextAttemptAt = now() + decision.delay
    await outbox.retry(lease, nextAttemptAt, error, status, record)
    report(attempt)
    report({ type: 'retrying', id, attempts, nextAttemptAt, error, status, durationMs })
  }

  const warn = (error: unknown) => log.error(errorFields(error), 'outbox call failed')

  /** Leases up to `room` due messages; ones that arrive after close() began are released unsent. */
  async function take(room: number): Promise<Lease[]> {
    const leases = await outbox.lease(room, now(), leaseMs)
    if (!closing) return leases
    await Promise.all(leases.map((lease) => outbox.release(lease)))
    return []
  }

  /** Leases what is due and starts sending it; resolves, once leased, to the sends in flight. */
  async function poll(): Promise<Array<Promise<void>>> {
    // Room is reserved before the await, so polls running at once never exceed `concurrency`.
    const room = concurrency - inFlight.size - reserved
    if (closing || room <= 0) return []
    reserved += room
    const taking = take(room)
    leasing.add(taking)
    let leases: Lease[]
    try {
      leases = await taking
    } finally {
      leasing.delete(taking)
      reserved -= room
    }
    // A full batch means more may be due: each finished send then looks again at once,
    // instead of a backlog draining one batch per poll interval.
    backlog = leases.length === room
    if (!backlog) sentUpTo(Infinity)
    else for (const lease of leases) sentUpTo(lease.message.createdAt)
    if (unsent() <= highWaterMark && waiting.size > 0) letThrough()
    return leases.map((lease) => {
      const running = send(lease)
        .catch(warn)
        .finally(() => {
          inFlight.delete(lease)
          if (backlog) pollSoon()
        })
      inFlight.set(lease, running)
      return running
    })
  }

  /**
   * Polls once the current turn of the event loop is done: the sends that
   * finish and the enqueues that wake it in one turn share one lease (one
   * transaction for a durable outbox) instead of taking one each.
   */
  function pollSoon(): void {
    if (soon !== undefined || timer === undefined || closing) return
    soon = setImmediate(() => {
      soon = undefined
      void poll().catch(warn)
    })
  }

  function schedule(): void {
    if (closing) return
    timer = setTimeout(() => {
      // Do not wait for the sends: the next poll may start more while these are in flight.
      poll().then(schedule, (error: unknown) => {
        warn(error)
        schedule()
      })
    }, pollInterval)
    timer.unref()
  }

  return {
    start() {
      if (timer === undefined && !closing) schedule()
    },
    wake: pollSoon,
    queued(at) {
      pollSoon()
      queuedAt.push(at)
      return unsent() > highWaterMark && !closing ? wait() : undefined
    },
    async tick() {
      await Promise.all(inFlight.values())
      const sends = await poll()
      await Promise.all(sends)
      return sends.length
    },
    async close(timeout = 10_000) {
      closing = true
      clearTimeout(timer)
      clearImmediate(soon)
      letThrough()
      // Every lease in progress (timer, wake, finished send): an asynchronous outbox (Redis) may answer after this.
      await Promise.allSettled(leasing)
      const settled = Promise.all(inFlight.values())
      const expired = new Promise<'expired'>((resolve) => setTimeout(() => resolve('expired'), timeout).unref())
      if ((await Promise.race([settled, expired])) === 'expired') {
        abort.abort()
        await settled
      }
    },
  }
}
