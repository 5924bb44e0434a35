import { createServer } from 'node:http'
import { type StartCanaryApp, describeLogCanary, listen } from '@webhook-trigger/testkit'
import koa3 from 'koa3'
import { type ForwardMiddleware, adminRouter, forward, webhook } from './index.js'

const start: StartCanaryApp = async (routes, admin) => {
  const app = new koa3()
  const relays: ForwardMiddleware[] = []
  for (const route of routes) {
    app.use(webhook({ ...route.verify, path: route.path }))
    if (route.forward !== undefined) {
      const relay = forward({ ...route.forward, path: route.path })
      relays.push(relay)
      app.use(relay)
    }
  }
  app.use(adminRouter({ ...admin, prefix: '/admin' }))
  const handle = app.callback()
  const server = await listen(createServer((req, res) => void handle(req, res)))
  return {
    url: server.url,
    async close() {
      await server.close()
      for (const relay of relays) await relay.close()
    },
  }
}

describeLogCanary('koa 3', start)
