import { createServer, type IncomingHttpHeaders } from 'node:http'
import { listen } from './listen.js'

export interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  /** Date.now() when the request had fully arrived. */
  at: number
}

/** One scripted answer; `reset` destroys the socket, `delay` holds the answer back. */
export type Step = { status: number; headers?: Record<string, string>; body?: string | Buffer; delay?: number } | 'reset'

export interface Upstream {
  url: string
  received: Received[]
  close(): Promise<void>
}

/**
 * A receiver that records every request and answers from `script` in order,
 * repeating the last step once the script runs out.
 */
export async function startUpstream(script: Step[] = [{ status: 202, body: '{"accepted":true}' }], port = 0): Promise<Upstream> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks), at: Date.now() })
      const step = script[Math.min(received.length, script.length) - 1]!
      if (step === 'reset') return void req.socket.destroy()
      const answer = () => {
        res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
        res.end(step.body)
      }
      if (step.delay === undefined) answer()
      else setTimeout(answer, step.delay).unref()
    })
  })
  return { ...(await listen(server, port)), received }
}
