import { createServer } from 'node:http'
import { Pool, request } from 'undici'
import { basicHeader } from '../fixture.js'
import { serve } from './serve.js'
import { upstreamUrl } from './accepted.js'

// Peer, and the reference for forwarding: bare node:http reads the body and
// sends it on with undici's request() over one keep-alive pool, with Basic
// credentials attached, then answers with the upstream's status and body.

const target = new URL(upstreamUrl())
const pool = new Pool(target.origin)
const headers = { 'content-type': 'application/json', authorization: basicHeader() }

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    request(target, { method: 'POST', headers, body: Buffer.concat(chunks), dispatcher: pool })
      .then(async (upstream) => {
        const body = Buffer.from(await upstream.body.arrayBuffer())
        res.writeHead(upstream.statusCode, { 'content-type': 'application/json', 'content-length': body.length }).end(body)
      })
      .catch(() => res.writeHead(502).end())
  })
})

serve(server, { close: () => pool.close() })
