import Koa from 'koa'
import { pino, type Logger } from 'pino'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/koa'

/** The README's inbound webhook on Koa: Basic or Bearer, JSON envelope. */
export function createApp(env: NodeJS.ProcessEnv = process.env, logger: Logger = pino()): Koa {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const app = new Koa()
  app.use(
    webhook({
      path: '/webhook',
      auth: [basic(credentials), bearer(credentials)],
      // Your work with a verified event goes here; webhook() has already logged it (`webhook accepted`).
      handler: () => undefined,
      logger,
    }),
  )
  return app
}
