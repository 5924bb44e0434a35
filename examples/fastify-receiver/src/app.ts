import Fastify, { type FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/fastify'

/** The README's inbound webhook on Fastify: Basic or Bearer, JSON envelope. */
export async function createApp(env: NodeJS.ProcessEnv = process.env, logger: Logger = pino()): Promise<FastifyInstance> {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const app = Fastify()
  await app.register(webhook, {
    path: '/webhook',
    auth: [basic(credentials), bearer(credentials)],
    // Your work with a verified event goes here; the plugin has already logged it (`webhook accepted`).
    handler: () => undefined,
    logger,
  })
  return app
}
