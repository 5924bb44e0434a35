import type { IncomingMessage, ServerResponse } from 'node:http'
import { Pool, request } from 'undici'
import { basicHeader } from '../fixture.js'
import { upstreamUrl } from './accepted.js'

/**
 * The forwarding reference's request handler, shared by `undici-forwarder`
 * (bare node:http) and `express-undici` (the same as Express middleware): it
 * reads the body, sends it with undici's request() over one keep-alive pool
 * with Basic attached (and the Idempotency-Key, when the sender gave one), and
 * answers with the upstream's status and body.
 */
export function undiciRelay(): { handle: (req: IncomingMessage, res: ServerResponse) => void; close: () => Promise<void> } {
  const target = new URL(upstreamUrl())
  const pool = new Pool(target.origin)
  const headers = { 'content-type': 'application/json', authorization: basicHeader() }
  return {
    handle: (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const key = req.headers['idempotency-key']
        request(target, { method: 'POST', headers: key === undefined ? headers : { ...headers, 'idempotency-key': key }, body: Buffer.concat(chunks), dispatcher: pool })
          .then(async (upstream) => {
            const body = Buffer.from(await upstream.body.arrayBuffer())
            res.writeHead(upstream.statusCode, { 'content-type': 'application/json', 'content-length': body.length }).end(body)
          })
          .catch(() => res.writeHead(502).end())
      })
    },
    close: () => pool.close(),
  }
}
