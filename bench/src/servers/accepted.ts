import type { ServerResponse } from 'node:http'

/** What the peers answer once they accepted an event: 202 and a short JSON body, as ours do. */
export const ACCEPTED_BODY = '{"accepted":true}'

export function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': 'application/json', 'content-length': ACCEPTED_BODY.length }).end(ACCEPTED_BODY)
}

/** The upstream URL a forwarding server sends to, given by the runner. */
export function upstreamUrl(): string {
  const url = process.env.UPSTREAM_URL
  if (url === undefined) throw new Error('UPSTREAM_URL is not set: forwarding servers are started by the runner with an upstream')
  return url
}
