import express from 'express'
import { pino, type Logger } from 'pino'
import { basic, forward } from '@webhook-trigger/express'

/**
 * A relay, for a third party that cannot call an authenticated URL
 * but can run this proxy. Every POST goes to TARGET_URL, byte for byte, with
 * TENANT_ID / API_TOKEN attached as HTTP Basic.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env, logger: Logger = pino()) {
  const relay = forward({
    to: env.TARGET_URL ?? 'http://127.0.0.1:3000/webhook',
    auth: basic({ tenant: env.TENANT_ID ?? 'tenant123', token: env.API_TOKEN ?? 'api_token_abc123' }),
    // One JSON line per relayed event: `event delivered`, or `relay failed` with the upstream's status.
    logger,
  })
  const app = express()
  app.use(relay)
  return { app, relay }
}
