import { createServer } from 'node:http'
import { type StartAdmin, describeAdmin, describeHealth, listen } from '@webhook-trigger/testkit'
import express4 from 'express4'
import express5 from 'express5'
import { adminRouter } from './index.js'

for (const [name, express] of [
  ['express 4', express4],
  ['express 5', express5],
] as const) {
  const start: StartAdmin = async (options) => {
    const app = express()
    app.use('/admin', adminRouter(options))
    return listen(createServer(app))
  }
  describeAdmin(name, start)
  describeHealth(name, start)
}
