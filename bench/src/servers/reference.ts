import { type Server, createServer } from 'node:http'
import { PATH } from '../fixture.js'
import { accepted } from './accepted.js'

/**
 * The bare node:http reference: read the body, check the credentials with
 * `authorized`, JSON.parse, answer 202. No media type, size, UTF-8, depth or
 * envelope checks.
 */
export function referenceServer(authorized: (header: string | undefined) => boolean): Server {
  return createServer((req, res) => {
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
}
