import { type OutboundAuth, isOutboundAuth } from './auth.js'
import { checkOptions, optionKeys } from './check-options.js'
import { type Signer, isSigner } from './sign.js'
import { type AttemptOutcome, type RetryPolicyOptions, createRetryPolicy } from './retry-policy.js'

type Fetch = (input: string, init: RequestInit) => Promise<Response>

export interface ClientOptions {
  /** The inbound webhook URL, e.g. `https://api.example.com/webhook`. */
  url: string | URL
  /** Credentials attached to every request: `basicAuth()`, `bearerAuth()`, `headerAuth()`. Optional when signing. */
  auth?: OutboundAuth
  /**
   * Signs every attempt the Standard Webhooks way, e.g. `standardWebhooksSigner('whsec_...')`;
   * the `webhook-id` is the idempotency key, the same on every retry.
   * @default no signature
   */
  sign?: Signer
  /**
   * Time allowed for each attempt, in ms.
   * @default 15000
   */
  timeout?: number
  /**
   * Retry policy; `false` sends once.
   * @default { retries: 3, baseDelay: 500, maxDelay: 5000, maxRetryAfter: 10000 }
   */
  retry?: RetryPolicyOptions | false
  /**
   * The `fetch` to use; inject one for tests, proxies or older runtimes.
   * @default globalThis.fetch
   */
  fetch?: Fetch
  /**
   * Largest response body kept in the result, in bytes.
   * @default 65536
   */
  maxResponseBytes?: number
}

export interface SendOptions {
  /** Sent as `Idempotency-Key` on every attempt. @default a new UUID */
  idempotencyKey?: string
  /** Extra request headers. */
  headers?: Record<string, string>
  /** Cancels the send, including any wait between retries. */
  signal?: AbortSignal
}

/** An RFC 9457 problem as a receiver sent it. */
export interface ReceivedProblem {
  type?: string
  code?: string
  title?: string
  status?: number
  detail?: string
  [member: string]: unknown
}

export type SendResult =
  /** A 2xx answer. */
  | { outcome: 'delivered'; status: number; body: unknown; attempts: number; idempotencyKey: string }
  /** A final 4xx answer: retrying the same request will not help. */
  | { outcome: 'rejected'; status: number; problem: ReceivedProblem | undefined; attempts: number; idempotencyKey: string }
  /** No success after every attempt: network errors, timeouts, 5xx, 429 or a redirect. */
  | { outcome: 'failed'; status: number | undefined; error: string; attempts: number; idempotencyKey: string }

export interface WebhookClient {
  /** Sends `{ event, data }` with credentials, retrying what is worth retrying. Never throws for a failed delivery. */
  send(event: string, data: Record<string, unknown>, options?: SendOptions): Promise<SendResult>
}

const CLIENT_RETRY: RetryPolicyOptions = { retries: 3, baseDelay: 500, maxDelay: 5000, maxRetryAfter: 10_000 }

async function readBounded(response: Response, max: number): Promise<string> {
  if (response.body === null) return ''
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength
    if (size > max) {
      await reader.cancel()
      return ''
    }
    chunks.push(read.value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text === '' ? undefined : text
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }, { once: true })
  })
}

const CLIENT_KEYS = optionKeys<ClientOptions>()('url', 'auth', 'sign', 'timeout', 'retry', 'fetch', 'maxResponseBytes')

function validate(options: ClientOptions): { url: string; fetch: Fetch; timeout: number; maxResponseBytes: number } {
  checkOptions('createClient()', options, CLIENT_KEYS)
  let url: URL
  try {
    url = new URL(options.url)
  } catch {
    throw new TypeError(`createClient(): "url" must be an absolute URL, e.g. "https://api.example.com/webhook"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('createClient(): "url" must use http or https')
  if (options.auth === undefined ? options.sign === undefined : !isOutboundAuth(options.auth)) {
    throw new TypeError('createClient(): "auth" must come from basicAuth(), bearerAuth() or headerAuth() (or give "sign")')
  }
  if (options.sign !== undefined && !isSigner(options.sign)) throw new TypeError('createClient(): "sign" must come from standardWebhooksSigner()')
  // Typed as possibly missing: older runtimes have no global fetch.
  const fetch: Fetch | undefined = options.fetch ?? (globalThis as { fetch?: Fetch }).fetch
  if (typeof fetch !== 'function') throw new TypeError('createClient(): no global fetch here; pass "fetch"')
  const timeout = options.timeout ?? 15_000
  const maxResponseBytes = options.maxResponseBytes ?? 65_536
  if (!(timeout > 0)) throw new TypeError(`createClient(): "timeout" must be a positive number of ms, got ${timeout}`)
  if (!(maxResponseBytes >= 0)) throw new TypeError('createClient(): "maxResponseBytes" must be a non-negative number')
  return { url: url.href, fetch, timeout, maxResponseBytes }
}

/**
 * A client for sending webhooks from your own code: sends the
 * envelope as JSON with credentials and an idempotency key, retries with
 * backoff, and tells you what happened.
 *
 * @example
 * const client = createClient({ url: 'http://localhost:3000/webhook', auth: basicAuth('tenant123', 'api_token_abc123') })
 * const result = await client.send('customer_update', { id: '1234', status: 'active' })
 * if (result.outcome !== 'delivered') console.error(result)
 */
export function createClient(options: ClientOptions): WebhookClient {
  const { url, fetch, timeout, maxResponseBytes } = validate(options)
  const { auth, sign } = options
  const encoder = new TextEncoder()
  const policy = createRetryPolicy(options.retry === false ? { retries: 0 } : { ...CLIENT_RETRY, ...options.retry })

  return {
    async send(event, data, sendOptions = {}) {
      if (typeof event !== 'string' || event === '') throw new TypeError('send(): "event" must be a non-empty string')
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('send(): "data" must be an object')
      const idempotencyKey = sendOptions.idempotencyKey ?? crypto.randomUUID()
      const headers: Record<string, string> = { ...sendOptions.headers, 'content-type': 'application/json', 'idempotency-key': idempotencyKey }
      auth?.attach(headers)
      const body = JSON.stringify({ event, data })
      const bytes = sign && encoder.encode(body)

      for (let attempt = 1; ; attempt++) {
        let outcome: AttemptOutcome
        let failure: SendResult | undefined
        try {
          const signals = [AbortSignal.timeout(timeout), ...(sendOptions.signal ? [sendOptions.signal] : [])]
          // Each attempt is signed with its own timestamp, under the same id.
          const signed = sign && bytes ? { ...headers, ...(await sign.headers(idempotencyKey, bytes)) } : headers
          const response = await fetch(url, { method: 'POST', headers: signed, body, redirect: 'manual', signal: AbortSignal.any(signals) })
          const text = await readBounded(response, maxResponseBytes)
          const status = response.status
          if (status >= 200 && status < 300) return { outcome: 'delivered', status, body: parseJson(text), attempts: attempt, idempotencyKey }
          outcome = { status, retryAfter: response.headers.get('retry-after') }
          failure =
            status >= 400 && status < 500 && status !== 408 && status !== 429
              ? { outcome: 'rejected', status, problem: parseJson(text) as ReceivedProblem | undefined, attempts: attempt, idempotencyKey }
              : { outcome: 'failed', status, error: `HTTP ${status}`, attempts: attempt, idempotencyKey }
        } catch (error) {
          if (sendOptions.signal?.aborted) throw sendOptions.signal.reason
          const timedOut = error instanceof Error && error.name === 'TimeoutError'
          outcome = { error: timedOut ? 'timeout' : 'network' }
          const message = timedOut ? `timed out after ${timeout} ms` : String((error as { cause?: unknown }).cause ?? error)
          failure = { outcome: 'failed', status: undefined, error: message, attempts: attempt, idempotencyKey }
        }
        const decision = policy.next(outcome, attempt)
        if (!decision.retry || failure.outcome === 'rejected') return failure
        await sleep(decision.delay, sendOptions.signal)
      }
    },
  }
}
