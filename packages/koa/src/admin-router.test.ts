import { createServer } from 'node:http'
import { type StartAdmin, describeAdmin, describeHealth, listen } from '@webhook-trigger/testkit'
import koa2 from 'koa2'
import koa3 from 'koa3'
import { adminRouter } from './index.js'

for (const [name, Koa] of [
  ['koa 2', koa2],
  ['koa 3', koa3],
] as const) {
  const start: StartAdmin = async (options) => {
    const app = new Koa()
    app.use(adminRouter({ ...options, prefix: '/admin' }))
    const handle = app.callback()
    return listen(createServer((req, res) => void handle(req, res)))
  }
  describeAdmin(name, start)
  describeHealth(name, start)
}
