import { once } from 'node:events'
import { Agent } from 'node:http'
import { type Socket, connect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { type Start, seen } from './conformance.js'
import { REFERENCE_PAYLOAD, basicAuth, defaultOptions, TENANT, TOKEN, validRequest } from './fixtures.js'
import { send } from './http-client.js'

const HEAD = [
  'POST /webhook HTTP/1.1',
  'Host: 127.0.0.1',
  `Authorization: ${basicAuth(TENANT, TOKEN)}`,
  'Content-Type: application/json',
  `Content-Length: ${Buffer.byteLength(REFERENCE_PAYLOAD)}`,
].join('\r\n')

/** A raw connection to `url`; errors (the server closing on us mid-write) end it instead of failing the test. */
async function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  socket.on('error', () => socket.destroy())
  await once(socket, 'connect')
  return socket
}

/** Everything the server writes until it closes the connection. */
function answer(socket: Socket): Promise<string> {
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))))
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * Slow and hostile clients against a webhook mounted by `start`, over real
 * sockets: a body that trickles or stalls is answered 408 within
 * `bodyTimeout` and its connection closed, and hundreds of slow connections
 * do not hold up a normal sender.
 */
export function describeSlowClients(name: string, start: Start): void {
  describe(`${name}: slow and hostile clients`, () => {
    const cleanup: Array<() => unknown> = []
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step()
    })

    const bodyTimeout = 1000
    // Trickling: 2 bytes every 250 ms, 8 bytes/s, would take 8 s for the 66-byte body.
    it.each([
      { how: 'trickles in at 8 bytes/s', bytesPerTick: 2 },
      { how: 'stalls after the headers', bytesPerTick: 0 },
    ])('answers 408 payload.timeout within bodyTimeout to a body that $how, closes the connection, runs no handler', async ({ bytesPerTick }) => {
      const app = await start({ webhook: { ...defaultOptions, bodyTimeout } })
      cleanup.push(() => app.close())
      const socket = await open(app.url)
      cleanup.push(() => socket.destroy())
      const answered = answer(socket)
      const started = performance.now()
      socket.write(`${HEAD}\r\n\r\n`)
      let sent = 0
      const ticker = setInterval(() => {
        if (bytesPerTick === 0 || socket.destroyed || sent >= REFERENCE_PAYLOAD.length) return
        socket.write(REFERENCE_PAYLOAD.slice(sent, sent + bytesPerTick))
        sent += bytesPerTick
      }, 250)
      cleanup.push(() => clearInterval(ticker))

      // The bound: the answer comes once bodyTimeout has passed, not minutes later.
      const raw = await answered
      const elapsed = performance.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(bodyTimeout - 50)
      expect(elapsed).toBeLessThan(bodyTimeout + 1500)
      expect(sent).toBeLessThan(REFERENCE_PAYLOAD.length)
      const [head = '', body = ''] = raw.split('\r\n\r\n')
      expect(head).toMatch(/^HTTP\/1\.1 408 /)
      expect(head.toLowerCase()).toContain('connection: close')
      expect(head.toLowerCase()).toContain('content-type: application/problem+json')
      expect(JSON.parse(body)).toMatchObject({ code: 'payload.timeout', status: 408 })
      expect(await seen(app)).toHaveLength(0)
    })

    it('keeps answering a normal sender 202, p99 under a second, while 300 slow connections are open', async () => {
      const app = await start({ webhook: defaultOptions })
      cleanup.push(() => app.close())
      // Half send their headers a byte at a time, half their body: each holds a connection and a pending read.
      const slow: Socket[] = []
      const pending: string[] = []
      for (let i = 0; i < 300; i++) {
        const socket = await open(app.url)
        slow.push(socket)
        if (i % 2 === 0) {
          socket.write(`${HEAD}\r\n\r\n`)
          pending.push(REFERENCE_PAYLOAD)
        } else pending.push(`${HEAD}\r\n\r\n${REFERENCE_PAYLOAD}`)
      }
      cleanup.push(() => slow.forEach((socket) => socket.destroy()))
      let at = 0
      const ticker = setInterval(() => {
        slow.forEach((socket, i) => socket.destroyed || socket.write(pending[i]!.charAt(at)))
        at++
      }, 200)
      cleanup.push(() => clearInterval(ticker))

      // A normal sender: four keep-alive connections, sending one request after another for two seconds.
      const agent = new Agent({ keepAlive: true, maxSockets: 4 })
      cleanup.push(() => agent.destroy())
      const latencies: number[] = []
      const statuses = new Map<number, number>()
      const until = performance.now() + 2000
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (performance.now() < until) {
            const began = performance.now()
            const reply = await send(app.url, { ...validRequest(), agent })
            latencies.push(performance.now() - began)
            statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
          }
        }),
      )
      expect(slow.filter((socket) => !socket.destroyed).length).toBe(300)
      expect([...statuses.keys()]).toEqual([202])
      expect(latencies.length).toBeGreaterThan(20)
      latencies.sort((a, b) => a - b)
      const p99 = percentile(latencies, 99)
      console.log(`${name}: ${latencies.length} normal requests beside 300 slow connections, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`)
      expect(p99).toBeLessThan(1000)
    })
  })
}
