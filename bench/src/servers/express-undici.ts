import { createServer } from 'node:http'
import express from 'express'
import { Pool, request } from 'undici'
import { basicHeader } from '../fixture.js'
import { serve } from './serve.js'
import { upstreamUrl } from './accepted.js'

// Calibration, not a competitor: the undici reference forwarder mounted as
// Express middleware. It reads the body, sends it with undici's request()
// over one keep-alive pool, and answers with the upstream's status and body,
// with no checks at all: the least a relay through Express that buffers the
// body with undici can cost on this machine.

const target = new URL(upstreamUrl())
const pool = new Pool(target.origin)
const headers = { 'content-type': 'application/json', authorization: basicHeader() }

const app = express()
app.use((req, res) => {
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

serve(createServer(app), { close: () => pool.close() })
