import { createServer } from 'node:http'
import { type StartRelay, describeForwarding, listen } from '@webhook-trigger/testkit'
import express4 from 'express4'
import express5 from 'express5'
import { forward, webhook } from './index.js'

for (const [name, express] of [
  ['express 4', express4],
  ['express 5', express5],
] as const) {
  const start: StartRelay = async ({ forward: options, verify }) => {
    const app = express()
    const relay = forward(options)
    if (verify) app.use(webhook(verify))
    app.use(relay)
    const server = await listen(createServer(app))
    return {
      url: server.url,
      deliverer: relay.deliverer,
      close: async () => {
        await relay.close()
        await server.close()
      },
    }
  }
  describeForwarding(name, start)
}
