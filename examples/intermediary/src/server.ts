import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { createApp } from './app.js'

const logger = pino()
const { app, relay, outbox } = createApp(process.env, logger)
const server = app.listen(Number(process.env.PORT ?? 3002), () => {
  const { port } = server.address() as AddressInfo
  logger.info(`Intermediary listening on http://localhost:${port}/webhook`)
  if (process.env.ADMIN_TOKEN) logger.info(`Delivery console on http://localhost:${port}/admin/ (sign in with ADMIN_TOKEN)`)
})
// Stop taking events, let in-flight deliveries finish or go back to the outbox, then close it.
const stop = () => server.close(() => void relay.close().then(() => outbox.close()))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
