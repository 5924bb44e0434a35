import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { createApp } from './app.js'

const logger = pino()
const server = createApp(process.env, logger).listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address() as AddressInfo
  logger.info(`Koa receiver listening on http://localhost:${port}/webhook`)
})
process.once('SIGTERM', () => server.close())
process.once('SIGINT', () => server.close())
