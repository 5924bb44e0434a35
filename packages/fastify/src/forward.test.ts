import type { AddressInfo } from 'node:net'
import { type StartRelay, describeForwarding } from '@webhook-trigger/testkit'
import fastify4 from 'fastify4'
import fastify5 from 'fastify5'
import { forward } from './index.js'

for (const [name, fastify] of [
  ['fastify 4', fastify4],
  ['fastify 5', fastify5],
] as const) {
  const start: StartRelay = async ({ forward: options, verify }) => {
    const app = fastify({ forceCloseConnections: true })
    const relay = forward({ ...options, webhook: verify })
    await app.register(relay)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, deliverer: relay.deliverer, close: () => app.close() }
  }
  describeForwarding(name, start)
}
