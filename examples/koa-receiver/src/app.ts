import Koa from 'koa'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/koa'

/** The README's inbound webhook on Koa: Basic or Bearer, JSON envelope. */
export function createApp(env: NodeJS.ProcessEnv = process.env): Koa {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const app = new Koa()
  app.use(
    webhook({
      path: '/webhook',
      auth: [basic(credentials), bearer(credentials)],
      handler: (hook) => console.log(`accepted event=${hook.event} tenant=${hook.tenant} id=${hook.id}`),
    }),
  )
  return app
}
