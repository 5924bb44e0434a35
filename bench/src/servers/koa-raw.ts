import { createServer } from 'node:http'
import Koa from 'koa'
import { ACCEPTED_BODY } from './accepted.js'
import { serve } from './serve.js'

// Calibration, not a competitor: Koa 3 with a middleware that reads the body
// itself and JSON.parses it, no auth. The most a middleware that does no
// work at all could gain over @koa/bodyparser.

const app = new Koa()
app.use(async (ctx) => {
  const chunks: Buffer[] = []
  await new Promise<void>((resolve, reject) => {
    ctx.req.on('data', (chunk: Buffer) => chunks.push(chunk))
    ctx.req.on('end', resolve)
    ctx.req.on('error', reject)
  })
  JSON.parse(Buffer.concat(chunks).toString('utf8'))
  ctx.status = 202
  ctx.type = 'json'
  ctx.body = ACCEPTED_BODY
})
const handle = app.callback()
serve(createServer((req, res) => void handle(req, res)))
