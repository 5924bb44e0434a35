import { listen } from '@webhook-trigger/testkit'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { getEventListeners } from 'node:events'
import { Agent, type Dispatcher } from 'undici'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Forwarder, type ForwarderOptions, createForwarder } from './forwarder.js'

const BODY = new TextEncoder().encode('{"event":"customer_update","data":{"id":"1234","status":"active"}}')
const HEADERS = { 'content-type': 'application/json' }

describe('createForwarder().attempt()', () => {
  const cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  /** An upstream answering with `answer`, and a forwarder pointed at it. */
  async function setUp(answer: (req: IncomingMessage, res: ServerResponse) => void, options: Partial<ForwarderOptions> = {}) {
    const arrived: string[] = []
    const server = createServer((req, res) => {
      arrived.push(String(req.headers['x-n']))
      req.resume()
      req.on('end', () => answer(req, res))
    })
    const upstream = await listen(server)
    cleanup.push(() => upstream.close())
    const forwarder = createForwarder({ to: `${upstream.url}/hook`, retry: false, ...options })
    cleanup.push(() => forwarder.close())
    return { forwarder, arrived }
  }

  const send = (forwarder: Forwarder, n: number, signal?: AbortSignal) =>
    forwarder.attempt({ body: BODY, headers: { ...HEADERS, 'x-n': String(n) }, signal })

  it('returns the status, headers and body of the answer', async () => {
    const { forwarder } = await setUp((_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json', 'x-upstream': 'marker-7f3a' })
      res.end('{"accepted":true}')
    })
    const result = await send(forwarder, 1)
    expect(result).toMatchObject({ kind: 'response', status: 202, headers: { 'x-upstream': 'marker-7f3a' } })
    const body = result.kind === 'response' ? result.body! : Buffer.alloc(0)
    expect(body.toString()).toBe('{"accepted":true}')
    // A copy, not a view of the socket's read buffer, which would keep the raw answer alive with it.
    expect(Buffer.from(body.buffer).includes('marker-7f3a')).toBe(false)
  })

  it('keeps an answer whose body arrives in many chunks, and an empty one', async () => {
    let calls = 0
    const { forwarder } = await setUp((_req, res) => {
      if (++calls === 2) return void res.writeHead(204).end()
      res.writeHead(400, { 'content-type': 'text/plain' })
      for (let i = 0; i < 10; i++) res.write('abcdefghij')
      res.end()
    })
    const chunked = await send(forwarder, 1)
    expect(chunked.kind === 'response' && [chunked.status, chunked.body?.toString()]).toEqual([400, 'abcdefghij'.repeat(10)])
    const empty = await send(forwarder, 2)
    expect(empty.kind === 'response' && [empty.status, empty.body?.length]).toEqual([204, 0])
  })

  it('skips informational answers and returns the final one', async () => {
    const { forwarder } = await setUp((_req, res) => {
      // Were the 103 read as the answer, its declared length alone would drop the body.
      res.socket!.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nContent-Length: 1000000\r\n\r\n')
      res.writeHead(202).end('final')
    })
    const result = await send(forwarder, 1)
    expect(result.kind === 'response' && [result.status, result.body?.toString()]).toEqual([202, 'final'])
  })

  it('drops, unread, a body declared longer than maxResponseBytes, even one that never comes', async () => {
    const { forwarder } = await setUp((_req, res) => {
      res.writeHead(502, { 'content-length': String(10 * 1024 * 1024) })
      res.flushHeaders()
    })
    const result = await send(forwarder, 1)
    expect(result).toMatchObject({ kind: 'response', status: 502, body: undefined })
  })

  it('abandons a chunked body once it passes maxResponseBytes, closes that connection, and the next attempt still goes through', async () => {
    let calls = 0
    let closed!: () => void
    const streamEnded = new Promise<void>((resolve) => (closed = resolve))
    const { forwarder } = await setUp(
      (_req, res) => {
        if (++calls === 2) return void res.writeHead(202).end('ok')
        res.writeHead(500)
        // Streams for as long as the socket is open: a reader that never stops would hang here.
        const timer = setInterval(() => res.write(Buffer.alloc(1024, 120)), 5)
        res.on('close', () => (clearInterval(timer), closed()))
      },
      { timeout: 60_000 },
    )
    const result = await send(forwarder, 1)
    expect(result).toMatchObject({ kind: 'response', status: 500, body: undefined })
    await streamEnded
    const next = await send(forwarder, 2)
    expect(next).toMatchObject({ kind: 'response', status: 202 })
  })

  it('times out a body still trickling in after the timeout, though each chunk comes sooner than it', async () => {
    const { forwarder } = await setUp((_req, res) => {
      res.writeHead(200)
      let left = 20
      const timer = setInterval(() => (--left === 0 ? (clearInterval(timer), res.end('.')) : res.write('.')), 50)
      res.on('close', () => clearInterval(timer))
    }, { timeout: 300 })
    // Had the whole 1 s trickle been read, this would be a 200 with 20 bytes.
    expect(await send(forwarder, 1)).toMatchObject({ kind: 'error', error: 'timeout' })
  })

  it('counts the timeout from when the request is written, not from a wait for a free connection', async () => {
    const held: ServerResponse[] = []
    const dispatcher = new Agent({ connections: 1, pipelining: 1 })
    cleanup.push(() => dispatcher.close())
    const { forwarder } = await setUp(
      (_req, res) => {
        if (held.push(res) === 1) return void setTimeout(() => res.writeHead(202).end('first'), 200)
        res.writeHead(202)
        setTimeout(() => res.end('second'), 200)
      },
      { dispatcher, timeout: 300 },
    )
    const [first, second] = await Promise.all([send(forwarder, 1), send(forwarder, 2)])
    expect(first).toMatchObject({ kind: 'response', status: 202 })
    // Sent 200 ms after it was asked for, answered 200 ms later: within 300 ms of being written.
    expect(second.kind === 'response' && second.body?.toString()).toBe('second')
  })

  it('times out an upstream that does not start its answer in time', async () => {
    const { forwarder } = await setUp((_req, res) => void setTimeout(() => res.writeHead(202).end(), 2000).unref(), { timeout: 200 })
    expect(await send(forwarder, 1)).toEqual({ kind: 'error', error: 'timeout', message: 'the upstream did not answer in time' })
  })

  it('reports a refused connection as a network error naming its code', async () => {
    const { url, close } = await listen(createServer())
    await close()
    const forwarder = createForwarder({ to: url, retry: false })
    cleanup.push(() => forwarder.close())
    expect(await send(forwarder, 1)).toEqual({ kind: 'error', error: 'network', message: 'the upstream could not be reached (ECONNREFUSED)' })
  })

  it('sends nothing when the signal is already aborted', async () => {
    const { forwarder, arrived } = await setUp((_req, res) => void res.writeHead(202).end())
    const result = await send(forwarder, 1, AbortSignal.abort())
    expect(result).toMatchObject({ kind: 'error', error: 'network', message: 'the upstream could not be reached (aborted)' })
    expect(await send(forwarder, 2)).toMatchObject({ kind: 'response', status: 202 })
    expect(arrived).toEqual(['2'])
  })

  it('ends an attempt in flight when its signal aborts, and closes that connection', async () => {
    let closed!: () => void
    const socketClosed = new Promise<void>((resolve) => (closed = resolve))
    const { forwarder } = await setUp((req) => req.socket.on('close', closed), { timeout: 60_000 })
    const controller = new AbortController()
    const pending = send(forwarder, 1, controller.signal)
    setTimeout(() => controller.abort(), 100)
    expect(await pending).toMatchObject({ kind: 'error', message: 'the upstream could not be reached (aborted)' })
    await socketClosed
  })

  it('ends an attempt still queued for a connection when its signal aborts, and never sends it', async () => {
    const held: ServerResponse[] = []
    const dispatcher = new Agent({ connections: 1, pipelining: 1 })
    cleanup.push(() => dispatcher.close())
    const { forwarder, arrived } = await setUp((_req, res) => void held.push(res), { dispatcher })
    const first = send(forwarder, 1)
    const controller = new AbortController()
    const queued = send(forwarder, 2, controller.signal)
    await vi.waitFor(() => expect(held).toHaveLength(1))
    controller.abort()
    expect(await queued).toMatchObject({ kind: 'error', message: 'the upstream could not be reached (aborted)' })
    const third = send(forwarder, 3)
    held[0]!.writeHead(202).end()
    expect(await first).toMatchObject({ kind: 'response', status: 202 })
    await vi.waitFor(() => expect(held).toHaveLength(2))
    held[1]!.writeHead(202).end()
    expect(await third).toMatchObject({ kind: 'response', status: 202 })
    expect(arrived).toEqual(['1', '3'])
  })

  it('turns a dispatcher that throws into a network error, and lets go of the signal', async () => {
    const throwing = { dispatch: () => { throw new TypeError('not today') } } as unknown as Dispatcher
    const forwarder = createForwarder({ to: 'http://127.0.0.1:9/hook', retry: false, dispatcher: throwing })
    const { signal } = new AbortController()
    expect(await send(forwarder, 1, signal)).toEqual({ kind: 'error', error: 'network', message: 'the upstream could not be reached (TypeError)' })
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it('does not leave a listener on a signal shared by many attempts', async () => {
    const { forwarder } = await setUp((_req, res) => void res.writeHead(202).end())
    const { signal } = new AbortController()
    for (let n = 0; n < 5; n++) expect(await send(forwarder, n, signal)).toMatchObject({ status: 202 })
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })
})
