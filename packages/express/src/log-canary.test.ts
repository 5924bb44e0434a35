import { createServer } from 'node:http'
import { type StartCanaryApp, describeLogCanary, listen } from '@webhook-trigger/testkit'
import express5 from 'express5'
import { type ForwardMiddleware, adminRouter, forward, webhook } from './index.js'

const start: StartCanaryApp = async (routes, admin) => {
  const app = express5()
  const relays: ForwardMiddleware[] = []
  for (const route of routes) {
    app.use(webhook({ ...route.verify, path: route.path }))
    if (route.forward !== undefined) {
      const relay = forward({ ...route.forward, path: route.path })
      relays.push(relay)
      app.use(relay)
    }
  }
  app.use('/admin', adminRouter(admin))
  const server = await listen(createServer(app))
  return {
    url: server.url,
    async close() {
      await server.close()
      for (const relay of relays) await relay.close()
    },
  }
}

describeLogCanary('express 5', start)
