import express from 'express'
import { pino, type Logger } from 'pino'
import { type VerifiedWebhook, basic, bearer, standardWebhooks, tenants, webhook } from '@webhook-trigger/express'

/** The demo secret of the README; set WEBHOOK_SECRET to your own. */
export const DEMO_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** Your work with a verified event goes here; webhook() has already logged it (`webhook accepted`). */
const handle = (_hook: VerifiedWebhook) => undefined

/**
 * The README's inbound webhook on Express: Basic or Bearer at
 * POST /webhook, and Standard Webhooks signatures at POST /webhook/signed.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env, logger: Logger = pino()): express.Express {
  const tenant = env.TENANT_ID ?? 'tenant123'
  const credentials = tenants({ [tenant]: env.API_TOKEN ?? 'api_token_abc123' })
  // The middleware's default is 10 s; BODY_TIMEOUT_MS shortens it, e.g. for the fuzzer.
  const bodyTimeout = env.BODY_TIMEOUT_MS === undefined ? undefined : Number(env.BODY_TIMEOUT_MS)
  const app = express()
  // app.use with a path: one middleware per webhook, any method (a GET gets 405), cheaper than app.all in Express 5.
  // One JSON line per request (`webhook accepted`, `webhook refused`), never a credential.
  app.use(webhook({ path: '/webhook', auth: [basic(credentials), bearer(credentials)], bodyTimeout, handler: handle, logger }))
  app.use(webhook({ path: '/webhook/signed', auth: standardWebhooks({ secret: env.WEBHOOK_SECRET ?? DEMO_SECRET, tenant }), bodyTimeout, handler: handle, logger }))
  return app
}
