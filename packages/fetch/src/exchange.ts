import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { BodySource, VerifiedWebhook, WebhookResponse } from '@webhook-trigger/core'

// A credential of Basic, Bearer (token68) or an API key never holds a comma,
// so a comma before another scheme name is where Fetch joined two headers.
const JOINED = /,\s*(?=[A-Za-z][\w!#$%&'*+.^`|~-]*(?:\s|$))/

/**
 * Core's view of a Fetch `Request`. Fetch joins a repeated header into one
 * value; for Authorization, the copies are split again so that two
 * Authorization headers get the same 400 as on Node. On @hono/node-server
 * the Node request's own `headers` and `rawHeaders` are read instead, as
 * Express's are: iterating `request.headers` makes node-server build a full
 * `Headers` from the raw list on every request.
 */
export function requestOf(request: Request, host?: unknown, webhook?: VerifiedWebhook) {
  const { connection, remoteAddress, incoming } = peerOf(request, host)
  // A Request a middleware built from node-server's (new headers, a new body) is read as itself.
  const own = incoming !== undefined && madeFrom(request, incoming) ? incoming : undefined
  const { headers, rawHeaders } = fromNode(own) ?? headersOf(request)
  return { method: request.method, headers, rawHeaders, body: bodyOf(request, own), connection, remoteAddress, webhook }
}

/**
 * True when `request` is the one node-server made for `incoming` (it keeps
 * it under a symbol described `incomingKey`). Any other Request, or another
 * node-server version, is read through the Fetch API: slower, never wrong.
 */
function madeFrom(request: Request, incoming: NodeIncoming): boolean {
  for (const key of Object.getOwnPropertySymbols(request)) {
    if (key.description === 'incomingKey') return (request as unknown as Record<symbol, unknown>)[key] === incoming
  }
  return false
}

function fromNode(incoming: NodeIncoming | undefined): { headers: IncomingHttpHeaders; rawHeaders: string[] } | undefined {
  // HTTP/1 only: an HTTP/2 request's headers hold pseudo-headers (`:method`, `:path`) a relay must not send on.
  if (incoming?.httpVersionMajor !== 1 || incoming.headers === undefined || !Array.isArray(incoming.rawHeaders)) return undefined
  return { headers: incoming.headers, rawHeaders: incoming.rawHeaders }
}

function headersOf(request: Request): { headers: IncomingHttpHeaders; rawHeaders: string[] | undefined } {
  const headers: IncomingHttpHeaders = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const { authorization } = headers
  const copies = authorization?.includes(',') === true ? authorization.split(JOINED) : undefined
  const rawHeaders = copies !== undefined && copies.length > 1 ? copies.flatMap((copy) => ['authorization', copy]) : undefined
  return { headers, rawHeaders }
}

/**
 * On @hono/node-server the request's Node stream, while nobody has read it,
 * is read as Express's is: `request.body` would make node-server build a
 * full Request with a Web stream over the same bytes, which costs several
 * times the whole check (its own `c.req.json()` takes the same short cut).
 */
function bodyOf(request: Request, incoming: NodeIncoming | undefined): BodySource {
  if (incoming !== undefined && !incoming.readableDidRead && !request.bodyUsed) return { kind: 'stream', stream: incoming }
  return request.body === null ? { kind: 'bytes', bytes: new Uint8Array(0) } : { kind: 'web', stream: request.body }
}

/** The parts of node-server's Node request (HTTP/1 or HTTP/2) we read. */
type NodeIncoming = Readable & { socket?: { remoteAddress?: string }; httpVersionMajor?: number; headers?: IncomingHttpHeaders; rawHeaders?: string[] }

/** What the hosts pass beside the request, as far as we read it. */
interface HostInfo {
  /** @hono/node-server's env (`c.env` in Hono): the Node request. */
  incoming?: NodeIncoming
  /** Deno.serve's handler info. */
  remoteAddr?: { hostname?: string }
  /** Bun.serve's server. */
  requestIP?: (request: Request) => { address?: string } | null
}

/**
 * The connection and peer address from the host's second argument, when it
 * gives them: node-server's env (whose socket lets accepted credentials be
 * remembered per connection, as on Node), Deno's info, Bun's server.
 */
function peerOf(request: Request, host: unknown): { connection?: object; remoteAddress?: string; incoming?: NodeIncoming } {
  if (host === null || typeof host !== 'object') return {}
  const info = host as HostInfo
  const { incoming } = info
  if (incoming?.socket !== undefined && typeof incoming.on === 'function') {
    return { connection: incoming.socket, remoteAddress: incoming.socket.remoteAddress, incoming }
  }
  if (info.remoteAddr !== undefined) return { remoteAddress: info.remoteAddr.hostname }
  if (typeof info.requestIP === 'function') return { remoteAddress: info.requestIP(request)?.address }
  return {}
}

/**
 * A core answer as a Fetch `Response`. A list header (several challenges
 * in WWW-Authenticate) is appended once per value; Fetch hosts send such a
 * header as one comma-joined line, which RFC 9110 section 5.3 makes equivalent.
 */
export function responseOf({ status, headers, body }: WebhookResponse): Response {
  return new Response(typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>), { status, headers: headersInit(headers) })
}

/**
 * A plain record when no header repeats: node-server writes one without
 * building a `Headers` and copying it back into a record.
 */
function headersInit(headers: WebhookResponse['headers']): Record<string, string> | Headers {
  if (!hasList(headers)) return headers as Record<string, string>
  const out = new Headers()
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const each of value) out.append(name, each)
    else out.set(name, value)
  }
  return out
}

function hasList(headers: WebhookResponse['headers']): boolean {
  for (const name in headers) if (Array.isArray(headers[name])) return true
  return false
}
