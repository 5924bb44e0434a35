import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { listen } from './listen.js'

/** One answer a sender got, or `status: 0` when none came within the sender's timeout. */
export interface SentAnswer {
  id: string
  status: number
  /** From sending to the whole answer read. */
  ms: number
  /** The phase of the test when it was sent (see `phase()`). */
  phase: string
  contentType: string | null
  retryAfter: string | null
  /** The problem's `code`, for a problem+json answer. */
  code?: string
}

export interface Senders {
  answers: SentAnswer[]
  /** Labels the answers to requests sent from now on. */
  phase(name: string): void
  /** Resolves once `count` more answers with `status` (or that `status` accepts) arrived, counted from this call. */
  seen(status: number | ((answer: SentAnswer) => boolean), count?: number): Promise<void>
  /** Stops sending; resolves once every request in flight is answered (or timed out). */
  stop(): Promise<void>
  /** Ids of the events answered 202: every one must reach the upstream. */
  accepted(): string[]
}

export interface SendersOptions {
  /** The request for the n-th event; `id` is its unique delivery id. */
  request: (id: string) => { headers: Record<string, string>; body: string }
  /** Senders sending one request at a time each. @default 4 */
  concurrency?: number
  /** A sender gives up on an answer after this long, recording status 0. @default 10000 */
  timeout?: number
  /** Pause between one sender's requests, in ms. @default 10 */
  pause?: number
}

/**
 * Senders that keep POSTing events with unique ids to `url` until stopped,
 * recording every answer: the load of a fault test, which then checks that
 * every answer came, fast, with an expected status, and that every 202'd
 * event arrived upstream.
 *
 * @example
 * const senders = startSenders(`${relay.url}/webhook`, { request: (id) => ({ headers, body }) })
 * await senders.seen(202, 5)
 */
export function startSenders(url: string, options: SendersOptions): Senders {
  const { request, concurrency = 4, timeout = 10_000, pause = 10 } = options
  const answers: SentAnswer[] = []
  const waiters: Array<{ accepts: (answer: SentAnswer) => boolean; left: number; resolve: () => void }> = []
  let phase = 'before'
  let stopped = false
  let next = 0

  async function sendOne(): Promise<void> {
    const id = `evt_${process.pid}_${next++}`
    const { headers, body } = request(id)
    const sentIn = phase
    const started = performance.now()
    let answer: SentAnswer
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeout) })
      const text = await response.text()
      const contentType = response.headers.get('content-type')
      const code = contentType === 'application/problem+json' ? (JSON.parse(text) as { code?: string }).code : undefined
      answer = { id, status: response.status, ms: performance.now() - started, phase: sentIn, contentType, retryAfter: response.headers.get('retry-after'), code }
    } catch {
      answer = { id, status: 0, ms: performance.now() - started, phase: sentIn, contentType: null, retryAfter: null }
    }
    answers.push(answer)
    for (const waiter of [...waiters]) {
      if (waiter.accepts(answer) && --waiter.left === 0) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }

  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      await sendOne()
      await sleep(pause)
    }
  })

  return {
    answers,
    phase: (name) => void (phase = name),
    seen: (status, count = 1) =>
      new Promise((resolve) => {
        const accepts = typeof status === 'number' ? (answer: SentAnswer) => answer.status === status : status
        waiters.push({ accepts, left: count, resolve })
      }),
    async stop() {
      stopped = true
      await Promise.all(loops)
    },
    accepted: () => answers.filter((answer) => answer.status === 202).map((answer) => answer.id),
  }
}

export interface GatedUpstream {
  url: string
  /** The `Idempotency-Key` of every request answered 2xx. */
  delivered: Set<string>
  /** Answer 200 from now on. */
  open(): void
  /** Answer 503 from now on: deliveries stay pending in the outbox. */
  shut(): void
  close(): Promise<void>
}

/**
 * An upstream that answers 200 while open and 503 while shut, so a fault test
 * can keep deliveries pending in the store across the fault, then let them through.
 *
 * @example
 * const upstream = await startGatedUpstream()
 * upstream.shut(); ...fault...; upstream.open()
 */
export async function startGatedUpstream(): Promise<GatedUpstream> {
  const delivered = new Set<string>()
  let open = true
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const key = req.headers['idempotency-key']
      if (open && typeof key === 'string') delivered.add(key)
      res.writeHead(open ? 200 : 503, { 'content-type': 'application/json' }).end('{}')
    })
  })
  const listening = await listen(server)
  return { ...listening, delivered, open: () => void (open = true), shut: () => void (open = false) }
}
