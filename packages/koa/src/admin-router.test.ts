import { createServer } from 'node:http'
import { describeAdmin, listen } from '@webhook-trigger/testkit'
import koa2 from 'koa2'
import koa3 from 'koa3'
import { adminRouter } from './index.js'

for (const [name, Koa] of [
  ['koa 2', koa2],
  ['koa 3', koa3],
] as const) {
  describeAdmin(name, async (options) => {
    const app = new Koa()
    app.use(adminRouter({ ...options, prefix: '/admin' }))
    const handle = app.callback()
    return listen(createServer((req, res) => void handle(req, res)))
  })
}
