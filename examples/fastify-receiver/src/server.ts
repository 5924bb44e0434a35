import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'

const app = await createApp()
await app.listen({ port: Number(process.env.PORT ?? 3000) })
const { port } = app.server.address() as AddressInfo
console.log(`Fastify receiver listening on http://localhost:${port}/webhook`)
process.once('SIGTERM', () => void app.close())
process.once('SIGINT', () => void app.close())
