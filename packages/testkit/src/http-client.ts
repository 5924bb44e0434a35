import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'

export interface SendOptions {
  method?: string
  path?: string
  /** An object, or [name, value] pairs when a header must repeat. */
  headers?: Record<string, string> | Array<[string, string]>
  body?: string | Uint8Array
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean
  /** Send over this agent's connections (see {@link oneConnection}) instead of a fresh one. */
  agent?: Agent
}

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  /** Every header as a list: Node joins repeated fields such as WWW-Authenticate in `headers`. */
  headersDistinct: NodeJS.Dict<string[]>
  text: string
  json<T = Record<string, unknown>>(): T
}

/**
 * One real HTTP request over a fresh connection (or `options.agent`'s); nothing is normalised
 * away, so duplicate headers and odd bodies arrive as written.
 */
export function send(baseUrl: string, options: SendOptions = {}): Promise<Reply> {
  const { method = 'POST', path = '/webhook', headers = {}, body, chunked = false } = options
  const url = new URL(path, baseUrl)
  const flat: string[] = (Array.isArray(headers) ? headers : Object.entries(headers)).flat()
  const named = (name: string) => flat.some((value, i) => i % 2 === 0 && value.toLowerCase() === name)
  if (body !== undefined && !chunked && !named('content-length')) flat.push('content-length', String(Buffer.byteLength(body)))
  if (chunked) flat.push('transfer-encoding', 'chunked')
  // Given headers as a list, Node adds no Host; HTTP/1.1 servers answer 400 without one.
  if (!named('host')) flat.unshift('host', url.host)
  // A keep-alive connection of its own: with "Connection: close", Node's server
  // closes right after an early answer (413, 401) while we may still be writing
  // the body, and the answer is lost to EPIPE. Keep-alive lets it drain instead.
  const given = options.agent
  const agent = given ?? new Agent({ keepAlive: true, maxSockets: 1 })
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest(url, { method, headers: flat, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, headersDistinct: res.headersDistinct, text, json: <T>() => JSON.parse(text) as T })
      })
    })
    req.on('error', reject)
    req.end(body)
  }).finally(() => given ?? agent.destroy())
}

/**
 * A keep-alive agent holding at most one connection, and how many it has
 * opened: requests sent with it share one connection while the server keeps it.
 */
export function oneConnection(): { agent: Agent; opened: () => number } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let opened = 0
  const create = agent.createConnection.bind(agent)
  agent.createConnection = (...args: Parameters<typeof create>) => {
    opened++
    return create(...args)
  }
  return { agent, opened: () => opened }
}

/**
 * Writes `raw` bytes to the server and returns everything it answers until
 * it closes the connection; for request lines `http.request` will not send.
 */
export function sendRaw(baseUrl: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    // Write without half-closing: the request should say "Connection: close", and the server ends the connection.
    const socket = connect(Number(port), hostname, () => socket.write(raw))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}
