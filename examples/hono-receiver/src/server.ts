import { serve } from '@hono/node-server'
import { createApp } from './app.js'

const server = serve({ fetch: createApp().fetch, port: Number(process.env.PORT ?? 3000) }, ({ port }) => {
  console.log(`Hono receiver listening on http://localhost:${port}/webhook`)
})
process.once('SIGTERM', () => server.close())
process.once('SIGINT', () => server.close())
