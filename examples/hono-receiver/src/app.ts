import { Hono } from 'hono'
import { pino, type Logger } from 'pino'
import { basic, bearer, tenants, webhook } from '@webhook-trigger/fetch'

/** The README's inbound webhook on Hono: Basic or Bearer, JSON envelope. */
export function createApp(env: NodeJS.ProcessEnv = process.env, logger: Logger = pino()): Hono {
  const credentials = tenants({ [env.TENANT_ID ?? 'tenant123']: env.API_TOKEN ?? 'api_token_abc123' })
  const handle = webhook({
    auth: [basic(credentials), bearer(credentials)],
    // Your work with a verified event goes here; webhook() has already logged it (`webhook accepted`).
    handler: () => undefined,
    logger,
  })
  const app = new Hono()
  app.all('/webhook', (c) => handle(c.req.raw, c.env))
  return app
}
