import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'

export type AttemptResult =
  | {
      kind: 'response'
      status: number
      headers: Record<string, string | string[] | undefined>
      /** `undefined` when the body exceeded `maxResponseBytes`. */
      body: Buffer | undefined
    }
  | { kind: 'error'; error: 'timeout' | 'network'; message: string }

const TIMEOUT: AttemptResult = { kind: 'error', error: 'timeout', message: 'the upstream did not answer in time' }

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** An undici error as an attempt's result; no message text from the error, which may quote the upstream. */
function classify(error: unknown): AttemptResult {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return TIMEOUT
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.name : 'connection failed'
  return { kind: 'error', error: 'network', message: `the upstream could not be reached (${reason})` }
}

const ABORTED: AttemptResult = { kind: 'error', error: 'network', message: 'the upstream could not be reached (aborted)' }

/** Why the collector stopped reading; undici hands it back through `onResponseError`, where it is ignored. */
const STOPPED = new Error('webhook-trigger stopped reading the answer')

export interface SendOnceOptions {
  dispatcher: Dispatcher
  request: Dispatcher.DispatchOptions
  /** Largest answer body kept; a longer one is abandoned and the result carries no body. */
  maxResponseBytes: number
  /**
   * Time for the whole answer, in ms from when the request is written: a body
   * still arriving after it is abandoned as a timeout.
   */
  timeout: number
  signal?: AbortSignal
}

/**
 * Collects one answer straight from undici's dispatch callbacks: no response
 * stream, no body mixin, one object per attempt. Resolves exactly once.
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private status = 0
  private headers: Record<string, string | string[] | undefined> = {}
  private chunks: Buffer[] = []
  private size = 0
  private settled = false
  /** Epoch ms; set when the request is written, so the wait for a connection does not count. */
  private deadline = Infinity

  constructor(
    private readonly resolve: (result: AttemptResult) => void,
    private readonly max: number,
    private readonly timeout: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this)
  }

  /** The signal's listener: the object itself, so an attempt adds no closure. */
  handleEvent(): void {
    this.stop(ABORTED)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    // Aborted while queued for a connection: the caller already has its answer.
    if (this.settled) return controller.abort(STOPPED)
    this.deadline = Date.now() + this.timeout
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (status < 200 || this.settled) return
    this.status = status
    this.headers = headers
    const declared = Number(this.headers['content-length'] ?? NaN)
    if (declared > this.max) this.stop({ kind: 'response', status, headers: this.headers, body: undefined })
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return
    this.size += chunk.length
    if (this.size > this.max) return this.stop({ kind: 'response', status: this.status, headers: this.headers, body: undefined })
    if (Date.now() > this.deadline) return this.stop(TIMEOUT)
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.settled) return
    // A copy even of one chunk: a chunk is a view of the socket's read buffer, raw headers and all.
    this.settle({ kind: 'response', status: this.status, headers: this.headers, body: Buffer.concat(this.chunks, this.size) })
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (error !== STOPPED) this.settle(classify(error))
  }

  /** Settles, then abandons the exchange; undici closes the connection. */
  private stop(result: AttemptResult): void {
    this.settle(result)
    this.controller?.abort(STOPPED)
  }

  settle(result: AttemptResult): void {
    if (this.settled) return
    this.settled = true
    this.chunks = []
    this.signal?.removeEventListener('abort', this)
    this.resolve(result)
  }
}

/**
 * One request through an undici dispatcher. Never rejects: a failure is an
 * `{ kind: 'error' }` result. Timeouts come from the dispatch options
 * (`headersTimeout`, `bodyTimeout`) and the deadline, read once per chunk.
 */
export function sendOnce(options: SendOnceOptions): Promise<AttemptResult> {
  const { signal } = options
  if (signal?.aborted) return Promise.resolve(ABORTED)
  return new Promise((resolve) => {
    const collector = new AnswerCollector(resolve, options.maxResponseBytes, options.timeout, signal)
    try {
      options.dispatcher.dispatch(options.request, collector)
    } catch (error) {
      // undici's own dispatchers report through onResponseError; another may throw.
      collector.settle(classify(error))
    }
  })
}
