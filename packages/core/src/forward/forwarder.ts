import {
  type AttemptOutcome,
  type OutboundAuth,
  type RetryPolicy,
  type RetryPolicyOptions,
  type Signer,
  createRetryPolicy,
  isOutboundAuth,
  isRetryableStatus,
  isSigner,
} from '@webhook-trigger/client'
import { randomUUID } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { mergeHeaders } from '../merge-headers.js'
import { type AttemptResult, sendOnce } from './send-once.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'

export type { AttemptResult } from './send-once.js'

export interface ForwarderOptions {
  /** Where every request goes. Taken from configuration only: nothing in a request can change it. */
  to: string | URL
  /**
   * Credentials attached to every request: a scheme built from one identity,
   * e.g. `basic({ tenant: 'tenant123', token: 'api_token_abc123' })`.
   * @default none
   */
  auth?: OutboundAuth
  /**
   * Time allowed to open a connection, in ms.
   * @default 5000
   */
  connectTimeout?: number
  /**
   * Time allowed for an attempt, in ms, from when the request is written (the
   * connection has its own `connectTimeout`): the answer must start within it,
   * and a body still arriving after it is abandoned.
   * @default 15000
   */
  timeout?: number
  /**
   * Largest upstream response body kept, in bytes; a longer one is dropped unread.
   * @default 65536
   */
  maxResponseBytes?: number
  /**
   * Retries while the caller waits (relay mode). `false` sends once.
   * @default { retries: 2, baseDelay: 250, maxDelay: 1000, maxRetryAfter: 2000 }
   */
  retry?: RetryPolicyOptions | false
  /** The undici dispatcher; by default one keep-alive Agent per forwarder. */
  dispatcher?: Dispatcher
  /**
   * Signs each attempt the Standard Webhooks way (`standardWebhooksSigner('whsec_...')`),
   * with the idempotency key as `webhook-id`. A request that already carries
   * the third party's own `webhook-signature` (an untransformed relay) is sent as it came.
   * @default no signature
   */
  sign?: Signer
}

/** One request to send: the body bytes exactly, and headers without credentials. */
export interface Outgoing {
  body: Uint8Array
  headers: Record<string, string>
  signal?: AbortSignal
}

export interface DeliveryResult {
  /** delivered: 2xx. rejected: a final answer (4xx, 3xx). failed: errors, timeouts or retryable statuses to the end. */
  outcome: 'delivered' | 'rejected' | 'failed'
  last: AttemptResult
  attempts: number
}

export interface Forwarder {
  readonly target: URL
  /** One attempt, no retry. Never throws for a network failure. */
  attempt(outgoing: Outgoing): Promise<AttemptResult>
  /**
   * Attempts with the relay retry policy until success, a final answer, or the
   * last retry; `onAttempt` hears each attempt with its duration in ms.
   */
  deliver(outgoing: Outgoing, onAttempt?: (result: AttemptResult, attempt: number, durationMs: number) => void): Promise<DeliveryResult>
  close(): Promise<void>
}

export const RELAY_RETRY: RetryPolicyOptions = { retries: 2, baseDelay: 250, maxDelay: 1000, maxRetryAfter: 2000 }

function positive(where: string, name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${where}: "${name}" must be a positive number of ms, got ${value}`)
  return value
}

function targetOf(to: string | URL, where: string): URL {
  let url: URL
  try {
    url = new URL(to)
  } catch {
    throw new TypeError(`${where}: "to" must be an absolute URL, e.g. "http://127.0.0.1:3000/webhook"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${where}: "to" must use http or https`)
  if (url.username !== '' || url.password !== '') throw new TypeError(`${where}: put credentials in "auth", not in the "to" URL`)
  return url
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Sends bodies to one configured upstream over a keep-alive undici pool,
 * with credentials, timeouts, a bounded response read, and the retry policy.
 * Redirects are never followed.
 *
 * @example
 * const forwarder = createForwarder({ to: 'http://127.0.0.1:3000/webhook', auth: basic({ tenant: 'tenant123', token: 'api_token_abc123' }) })
 */
const FORWARDER_KEYS = optionKeys<ForwarderOptions>()('to', 'auth', 'connectTimeout', 'timeout', 'maxResponseBytes', 'retry', 'dispatcher', 'sign')

export function createForwarder(options: ForwarderOptions, where = 'createForwarder()'): Forwarder {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: expected options, e.g. { to, auth }`)
  // createForwardHandler() checked its own wider set of keys already.
  if (where === 'createForwarder()') checkOptions(where, options, FORWARDER_KEYS)
  const target = targetOf(options.to, where)
  if (options.auth !== undefined && !isOutboundAuth(options.auth)) {
    throw new TypeError(`${where}: "auth" must carry one credential to attach, e.g. basic({ tenant: "tenant123", token: "..." })`)
  }
  if (options.sign !== undefined && !isSigner(options.sign)) throw new TypeError(`${where}: "sign" must come from standardWebhooksSigner()`)
  const { sign } = options
  const connectTimeout = positive(where, 'connectTimeout', options.connectTimeout ?? 5000)
  const timeout = positive(where, 'timeout', options.timeout ?? 15_000)
  const maxResponseBytes = options.maxResponseBytes ?? 65_536
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 0) {
    throw new TypeError(`${where}: "maxResponseBytes" must be a non-negative integer`)
  }
  const policy: RetryPolicy = createRetryPolicy(options.retry === false ? { retries: 0 } : { ...RELAY_RETRY, ...options.retry })
  const owned = options.dispatcher === undefined
  // undici is loaded on the first send, so an app that only receives never pays for it.
  let dispatcher: Dispatcher | Promise<Dispatcher> | undefined = options.dispatcher
  const pool = (): Dispatcher | Promise<Dispatcher> =>
    (dispatcher ??= import('undici').then(({ Agent }) => (dispatcher = new Agent({ connect: { timeout: connectTimeout }, keepAliveTimeout: 4000 }))))
  const credentials: Record<string, string> = {}
  options.auth?.attach(credentials)
  const origin = target.origin
  const path = target.pathname + target.search

  async function attempt(outgoing: Outgoing): Promise<AttemptResult> {
    // Timeouts through undici's own timers and one clock read per chunk: an
    // AbortSignal per attempt cost more than the rest of the relay's work (see BENCHMARKS.md).
    try {
      const client = pool()
      const signature =
        sign === undefined || outgoing.headers['webhook-signature'] !== undefined
          ? undefined
          : await sign.headers(outgoing.headers['idempotency-key'] ?? randomUUID(), outgoing.body)
      return await sendOnce({
        dispatcher: client instanceof Promise ? await client : client,
        request: {
          origin,
          path,
          method: 'POST',
          headers: mergeHeaders(outgoing.headers, signature, credentials),
          body: outgoing.body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        },
        maxResponseBytes,
        timeout,
        signal: outgoing.signal,
      })
    } catch (error) {
      // Only signing or loading undici can throw here; sendOnce() itself never rejects.
      return { kind: 'error', error: 'network', message: `the request could not be sent (${error instanceof Error ? error.name : 'unknown'})` }
    }
  }

  return {
    target,
    attempt,
    async deliver(outgoing, onAttempt) {
      for (let attempts = 1; ; attempts++) {
        const started = onAttempt && performance.now()
        const last = await attempt(outgoing)
        if (onAttempt !== undefined) onAttempt(last, attempts, Math.round((performance.now() - started!) * 1000) / 1000)
        if (last.kind === 'response' && last.status >= 200 && last.status < 300) return { outcome: 'delivered', last, attempts }
        const decision = policy.next(outcomeOf(last), attempts)
        if (!decision.retry || outgoing.signal?.aborted) {
          const final = last.kind === 'response' && !isRetryableStatus(last.status)
          return { outcome: final ? 'rejected' : 'failed', last, attempts }
        }
        await sleep(decision.delay)
      }
    },
    async close() {
      if (owned && dispatcher !== undefined) await (await dispatcher).close()
    },
  }
}

/** The attempt as the retry policy reads it. */
export function outcomeOf(result: AttemptResult): AttemptOutcome {
  if (result.kind === 'error') return { error: result.error }
  const retryAfter = result.headers['retry-after']
  return { status: result.status, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter }
}
