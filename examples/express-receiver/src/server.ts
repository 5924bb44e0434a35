import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { portFrom } from './port.js'

const server = createApp().listen(portFrom(process.env.PORT), () => {
  const { port } = server.address() as AddressInfo
  console.log(`Express receiver listening on http://localhost:${port}/webhook`)
})
process.once('SIGTERM', () => server.close())
process.once('SIGINT', () => server.close())
