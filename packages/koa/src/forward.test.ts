import { createServer } from 'node:http'
import { type StartRelay, describeForwarding, listen } from '@webhook-trigger/testkit'
import koa2 from 'koa2'
import koa3 from 'koa3'
import { forward, webhook } from './index.js'

for (const [name, Koa] of [
  ['koa 2', koa2],
  ['koa 3', koa3],
] as const) {
  const start: StartRelay = async ({ forward: options, verify }) => {
    const app = new Koa()
    const relay = forward(options)
    if (verify) app.use(webhook(verify))
    app.use(relay)
    const handle = app.callback()
    const server = await listen(createServer((req, res) => void handle(req, res)))
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
