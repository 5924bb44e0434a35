import express from 'express'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/express'

/** The inbound webhook of the reference, on Express: Basic or Bearer, JSON envelope. */
export function createApp(env: NodeJS.ProcessEnv = process.env): express.Express {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const app = express()
  app.all(
    '/webhook',
    webhook({
      auth: [basic(credentials), bearer(credentials)],
      handler: (hook) => console.log(`accepted event=${hook.event} tenant=${hook.tenant} id=${hook.id}`),
    }),
  )
  return app
}
