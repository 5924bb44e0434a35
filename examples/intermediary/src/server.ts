import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { createApp } from './app.js'

const logger = pino()
const { app, relay, outbox } = createApp(process.env, logger)
const port = Number(process.env.PORT ?? 3002)
// Node's defaults let a slow client hold a connection for minutes (60 s for the
// headers, 300 s for the request, checked every 30 s), and senders such as GitHub
// wait 10 s for an answer. Here: headers within 10 s, the whole request within
// 30 s (the body alone has the middleware's bodyTimeout, 10 s), checked every
// second; idle keep-alive connections close after 5 s (behind a load balancer,
// make that longer than the balancer's own idle timeout).
const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 }, app)
server.keepAliveTimeout = 5_000
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.syscall !== 'listen') throw error
  const why = error.code === 'EADDRINUSE' ? 'is already in use' : 'cannot be listened on'
  console.error(`intermediary: port ${port} ${why} (${error.code}); set PORT to another port`)
  process.exit(1)
})
server.listen(port, () => {
  const { port: bound } = server.address() as AddressInfo
  logger.info(`Intermediary listening on http://localhost:${bound}/webhook`)
  if (process.env.ADMIN_TOKEN) logger.info(`Delivery console on http://localhost:${bound}/admin/ (sign in with ADMIN_TOKEN)`)
})
// Stop taking events, let in-flight deliveries finish or go back to the outbox, then close it.
const stop = () => server.close(() => void relay.close().then(() => outbox.close()))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
