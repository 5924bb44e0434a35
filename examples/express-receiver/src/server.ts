import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'

const server = createApp().listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address() as AddressInfo
  console.log(`Express receiver listening on http://localhost:${port}/webhook`)
})
process.once('SIGTERM', () => server.close())
process.once('SIGINT', () => server.close())
