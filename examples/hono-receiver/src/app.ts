import { Hono } from 'hono'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/fetch'

/** The README's inbound webhook on Hono: Basic or Bearer, JSON envelope. */
export function createApp(env: NodeJS.ProcessEnv = process.env): Hono {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const handle = webhook({
    auth: [basic(credentials), bearer(credentials)],
    handler: (hook) => console.log(`accepted event=${hook.event} tenant=${hook.tenant} id=${hook.id}`),
  })
  const app = new Hono()
  app.all('/webhook', (c) => handle(c.req.raw, c.env))
  return app
}
