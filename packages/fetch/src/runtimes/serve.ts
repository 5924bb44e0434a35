// The Fetch handler under Bun.serve or Deno.serve, for the conformance suite
// run over HTTP from Node (runtimes.test.ts): a scenario server (testkit's
// scenario-server.ts) mounting each named scenario on a server of its own.
// Bun and Deno run this TypeScript file as it is, on the built packages.
import { webhook, verifyWebhook } from '@webhook-trigger/fetch'
import { type ListenOn, type MountApp, scenarioServer } from '../../../testkit/dist/scenario-server.js'

interface Runtimes {
  Bun?: { serve(options: { port: number; hostname: string; fetch: (request: Request, server: unknown) => Promise<Response> }): { port: number; stop(force?: boolean): Promise<void> } }
  Deno?: {
    serve(
      options: { port: number; hostname: string; onListen(address: { port: number }): void },
      handler: (request: Request, info: unknown) => Promise<Response>,
    ): { addr: { port: number }; shutdown(): Promise<void> }
  }
}

const { Bun, Deno } = globalThis as Runtimes
const hostname = '127.0.0.1'

const listen: ListenOn = (fetch) => {
  if (Bun !== undefined) {
    const server = Bun.serve({ port: 0, hostname, fetch })
    return Promise.resolve({ port: server.port, close: () => server.stop(true) })
  }
  if (Deno !== undefined) {
    const server = Deno.serve({ port: 0, hostname, onListen: () => undefined }, fetch)
    return Promise.resolve({ port: server.addr.port, close: () => server.shutdown() })
  }
  return Promise.reject(new Error('serve.ts runs on Bun or Deno'))
}

/** As the Node harness mounts it (node.test.ts): the handler option, or verifyWebhook() before a route of its own. */
const app: MountApp = (options, mount, record) => {
  if (mount === 'handler') return webhook({ ...options, handler: (hook) => void record(hook) })
  const verify = verifyWebhook(options)
  return async (request, host) => {
    const checked = await verify(request, host)
    if (checked instanceof Response) return checked
    record(checked)
    return Response.json(checked)
  }
}

const { port } = await listen(scenarioServer(listen, app))
console.log(`${Bun !== undefined ? 'bun' : 'deno'} listening on http://${hostname}:${port}`)
