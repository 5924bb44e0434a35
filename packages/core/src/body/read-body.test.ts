import { once } from 'node:events'
import { type IncomingMessage, createServer } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type ReadResult, readBody } from './read-body.js'

const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

/** A real server whose requests are read with readBody; resolves with the first read's result. */
async function serverReading(limit: number): Promise<{ port: number; result: Promise<ReadResult> }> {
  let deliver!: (result: ReadResult) => void
  const result = new Promise<ReadResult>((resolve) => (deliver = resolve))
  const server = createServer((req: IncomingMessage, res) => {
    void readBody(req, limit, req.headers['content-length']).then((read) => {
      deliver(read)
      res.writeHead(read.ok ? 200 : read.problem.status).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => server.close())
  return { port: (server.address() as AddressInfo).port, result }
}

function problemCode(read: ReadResult): string | undefined {
  return read.ok ? undefined : read.problem.code
}

describe('readBody', () => {
  it('settles as incomplete when the client goes away mid-body', async () => {
    const { port, result } = await serverReading(1024)
    const socket = connect(port, '127.0.0.1')
    await once(socket, 'connect')
    socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"event":')
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    expect(problemCode(await result)).toBe('payload.incomplete')
  })

  it('reads a body sent in several chunks, byte for byte', async () => {
    const { port, result } = await serverReading(1024)
    const socket = connect(port, '127.0.0.1')
    closers.push(() => socket.destroy())
    await once(socket, 'connect')
    const body = '{"event":"customer_update","data":{"id":"1234","name":"Zoë"}}'
    const bytes = Buffer.from(body)
    socket.write(`POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: ${bytes.length}\r\n\r\n`)
    socket.write(bytes.subarray(0, 20))
    await new Promise((resolve) => setTimeout(resolve, 20))
    socket.write(bytes.subarray(20))
    const read = await result
    expect(read.ok && read.bytes.toString('utf8')).toBe(body)
  })

  it('stops at the limit without waiting for the rest of a chunked body', async () => {
    const { port, result } = await serverReading(10)
    const socket = connect(port, '127.0.0.1')
    closers.push(() => socket.destroy())
    await once(socket, 'connect')
    // 16 bytes of a body that never ends: only the limit can settle the read.
    socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n')
    expect(problemCode(await result)).toBe('payload.too_large')
  })

  it('settles as payload.timeout (408, Connection: close) when the body does not arrive within the timeout', async () => {
    const stream = new PassThrough()
    const read = readBody(stream, 1024, '66', 50)
    stream.write('{"event"')
    const result = await read
    expect(problemCode(result)).toBe('payload.timeout')
    expect(!result.ok && result.problem).toMatchObject({ status: 408, headers: { connection: 'close' } })
    // The read is over: later bytes are not taken.
    expect(stream.listenerCount('data')).toBe(0)
  })

  it('clears its timer once the body has arrived, or the read failed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const stream = new PassThrough()
      const read = readBody(stream, 1024, undefined, 10_000)
      expect(vi.getTimerCount()).toBe(1)
      stream.end('{}')
      expect((await read).ok).toBe(true)
      const large = new PassThrough()
      const refused = readBody(large, 4, undefined, 10_000)
      large.write('{"a":1}')
      expect(problemCode(await refused)).toBe('payload.too_large')
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('settles as incomplete when the stream is destroyed without an error', async () => {
    const stream = new PassThrough()
    const read = readBody(stream, 1024, undefined)
    stream.write('{"event"')
    stream.destroy()
    expect(problemCode(await read)).toBe('payload.incomplete')
  })

  it('settles as incomplete when the body ends short of its declared length', async () => {
    const stream = new PassThrough()
    const read = readBody(stream, 1024, '50')
    stream.end('{}')
    expect(problemCode(await read)).toBe('payload.incomplete')
  })

  it('rejects other stream errors, and keeps listening so a later error cannot crash the process', async () => {
    const stream = new PassThrough()
    const read = readBody(stream, 1024, undefined)
    stream.emit('error', new Error('disk on fire'))
    await expect(read).rejects.toThrow('disk on fire')
    expect(() => stream.emit('error', new Error('again'))).not.toThrow()
  })

  it('ignores data after an error that did not destroy the stream, instead of throwing in the emitter', async () => {
    const stream = new PassThrough({ autoDestroy: false, emitClose: false })
    const read = readBody(stream, 1024, undefined)
    stream.emit('error', new Error('hiccup'))
    await expect(read).rejects.toThrow('hiccup')
    expect(() => stream.write('{"more":true}')).not.toThrow()
  })

  it('refuses an object-mode stream of strings without crashing', async () => {
    const stream = new PassThrough({ objectMode: true })
    const read = readBody(stream, 1024, undefined)
    stream.end('{"event":"x"}')
    await expect(read).rejects.toThrow(TypeError)
  })

  it('refuses a stream that decodes to strings, and one already ended', async () => {
    const decoding = new PassThrough()
    decoding.setEncoding('utf8')
    await expect(readBody(decoding, 1024, undefined)).rejects.toThrow(TypeError)
    const ended = new PassThrough()
    ended.end()
    ended.resume()
    await once(ended, 'end')
    expect(problemCode(await readBody(ended, 1024, undefined))).toBe('payload.incomplete')
  })
})
