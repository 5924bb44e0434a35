import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { createApp } from './app.js'

const logger = pino()
const { app, relay } = createApp(process.env, logger)
const server = app.listen(Number(process.env.PORT ?? 3001), () => {
  const { port } = server.address() as AddressInfo
  logger.info(`Proxy listening on http://localhost:${port}, forwarding to ${process.env.TARGET_URL ?? 'http://127.0.0.1:3000/webhook'}`)
})
const stop = () => server.close(() => void relay.close())
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
