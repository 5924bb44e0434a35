// The built Fetch handler served by Bun.serve or Deno.serve, for the status
// table run over HTTP from Node (runtimes.test.ts). Bun and Deno run this
// TypeScript file as it is.
import { webhook } from '@webhook-trigger/fetch'
import { defaultOptions } from '../../../testkit/dist/fixtures.js'

interface Runtimes {
  Bun?: { serve(options: { port: number; hostname: string; fetch: (request: Request, server: unknown) => Promise<Response> }): { port: number } }
  Deno?: {
    serve(
      options: { port: number; hostname: string; onListen(address: { port: number }): void },
      handler: (request: Request, info: unknown) => Promise<Response>,
    ): unknown
  }
}

// One JSON line per request, as pino writes them: the test counts `webhook accepted`.
const line = (fields: object, msg: string) => console.log(JSON.stringify({ ...fields, msg }))
const logger = { error: line, warn: line, info: line, debug: () => undefined }
const handle = webhook({ ...defaultOptions, handler: () => undefined, logger })
const { Bun, Deno } = globalThis as Runtimes
const hostname = '127.0.0.1'
if (Bun !== undefined) {
  const server = Bun.serve({ port: 0, hostname, fetch: handle })
  console.log(`bun listening on http://${hostname}:${server.port}/webhook`)
} else if (Deno !== undefined) {
  Deno.serve({ port: 0, hostname, onListen: ({ port }) => console.log(`deno listening on http://${hostname}:${port}/webhook`) }, handle)
} else {
  throw new Error('serve.ts runs on Bun or Deno')
}
