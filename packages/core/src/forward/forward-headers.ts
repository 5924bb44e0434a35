import type { IncomingHttpHeaders } from 'node:http'

// RFC 9110 section 7.6.1 hop-by-hop fields, plus what the connection to the
// upstream sets for itself (Host, framing, Expect).
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  // Every inbound credential: the forwarder attaches its own.
  'authorization',
  'proxy-authorization',
  'proxy-authenticate',
  'cookie',
  // Rebuilt below from what we saw; a client-sent X-Forwarded-Host must not
  // reach the upstream as if a proxy had vouched for it.
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
])

export interface ForwardContext {
  /** Header names to drop besides the fixed list (lower case), e.g. the route's API key header. */
  strip?: readonly string[]
  /** The peer's address, as `req.socket.remoteAddress`. */
  remoteAddress?: string | undefined
  /** `https` when the inbound connection was TLS. */
  proto?: 'http' | 'https'
}

function forwardedFor(address: string): string {
  // RFC 7239 section 6: IPv6 addresses are bracketed and quoted.
  return address.includes(':') ? `"[${address}]"` : address
}

/**
 * The headers a relay sends upstream: the inbound ones minus hop-by-hop
 * fields (and any the `Connection` header names), credentials and forwarding
 * claims, plus `X-Forwarded-For` and `Forwarded` for this hop.
 */
export function forwardHeaders(inbound: IncomingHttpHeaders, context: ForwardContext = {}): Record<string, string> {
  // Fields the Connection header names are hop-by-hop too (RFC 9110 section 7.6.1); usually there are none.
  const connection = inbound.connection
  const named = connection === undefined || connection === 'keep-alive' || connection === 'close' ? undefined : connection.toLowerCase().split(',').map((token) => token.trim())
  const strip = context.strip ?? []
  const out: Record<string, string> = {}
  for (const name in inbound) {
    const value = inbound[name]
    if (value === undefined || NOT_FORWARDED.has(name) || strip.includes(name) || named?.includes(name) === true) continue
    out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const address = context.remoteAddress
  if (address !== undefined) {
    const previous = inbound['x-forwarded-for']
    out['x-forwarded-for'] = previous ? `${String(previous)}, ${address}` : address
    const hop = `for=${forwardedFor(address)};proto=${context.proto ?? 'http'}`
    out.forwarded = inbound.forwarded ? `${inbound.forwarded}, ${hop}` : hop
  }
  return out
}
