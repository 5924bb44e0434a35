import { timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { PATH, basicHeader } from '../fixture.js'
import { accepted } from './accepted.js'
import { serve } from './serve.js'

// Peer, and the reference for what Node itself can do: read the body, check
// Basic in constant time, JSON.parse, answer 202. No media type, size, UTF-8,
// depth or envelope checks.

const expected = Buffer.from(basicHeader())

function authorized(header: string | undefined): boolean {
  if (header === undefined) return false
  const given = Buffer.from(header)
  // timingSafeEqual throws on a length mismatch, so compare lengths first.
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== PATH) return void res.writeHead(404).end()
    if (!authorized(req.headers.authorization)) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="webhook"' }).end()
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return void res.writeHead(400).end()
    }
    accepted(res)
  })
})

serve(server)
