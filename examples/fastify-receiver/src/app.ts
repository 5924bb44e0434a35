import Fastify, { type FastifyInstance } from 'fastify'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/fastify'

/** The README's inbound webhook on Fastify: Basic or Bearer, JSON envelope. */
export async function createApp(env: NodeJS.ProcessEnv = process.env): Promise<FastifyInstance> {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const app = Fastify()
  await app.register(webhook, {
    path: '/webhook',
    auth: [basic(credentials), bearer(credentials)],
    handler: (hook) => console.log(`accepted event=${hook.event} tenant=${hook.tenant} id=${hook.id}`),
  })
  return app
}
