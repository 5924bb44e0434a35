import type { IncomingHttpHeaders } from 'node:http'
import type { VerifiedWebhook, WebhookResponse } from '@webhook-trigger/core'

// A credential of Basic, Bearer (token68) or an API key never holds a comma,
// so a comma before another scheme name is where Fetch joined two headers.
const JOINED = /,\s*(?=[A-Za-z][\w!#$%&'*+.^`|~-]*(?:\s|$))/

/**
 * Core's view of a Fetch `Request`. Fetch joins a repeated header into one
 * value; for Authorization, the copies are split again so that two
 * Authorization headers get the same 400 as on Node.
 */
export function requestOf(request: Request, host?: unknown, webhook?: VerifiedWebhook) {
  const headers: IncomingHttpHeaders = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const { authorization } = headers
  const copies = authorization?.includes(',') === true ? authorization.split(JOINED) : undefined
  const rawHeaders = copies !== undefined && copies.length > 1 ? copies.flatMap((copy) => ['authorization', copy]) : undefined
  const body = request.body === null ? { kind: 'bytes' as const, bytes: new Uint8Array(0) } : { kind: 'web' as const, stream: request.body }
  const { connection, remoteAddress } = peerOf(request, host)
  return { method: request.method, headers, rawHeaders, body, connection, remoteAddress, webhook }
}

/** What the hosts pass beside the request, as far as we read it. */
interface HostInfo {
  /** @hono/node-server's env (`c.env` in Hono). */
  incoming?: { socket?: { remoteAddress?: string } }
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
function peerOf(request: Request, host: unknown): { connection?: object; remoteAddress?: string } {
  if (host === null || typeof host !== 'object') return {}
  const info = host as HostInfo
  const socket = info.incoming?.socket
  if (socket !== undefined) return { connection: socket, remoteAddress: socket.remoteAddress }
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
  const out = new Headers()
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const each of value) out.append(name, each)
    else out.set(name, value)
  }
  return new Response(typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>), { status, headers: out })
}
