import express from 'express'
import { pino, type Logger } from 'pino'
import { Registry } from 'prom-client'
import * as v from 'valibot'
import { type DelivererOptions, type VerifiedWebhook, adminRouter, basic, bearer, forward, header, webhook } from '@webhook-trigger/express'
import { prometheusMetrics } from '@webhook-trigger/prometheus'
import { outboxFromEnv } from './outbox-from-env.js'

/** The CRM's own event. Checked before the transform runs, so a body of another shape is a 422, never a thrown TypeError (500). */
const CrmEvent = v.object({
  type: v.string(),
  contact: v.object({ id: v.string(), status: v.string() }),
})

/** The CRM's event, as the inbound webhook's envelope. */
export function toEnvelope(hook: VerifiedWebhook) {
  const { contact } = hook.data as v.InferOutput<typeof CrmEvent>
  return { event: 'customer_update', data: { id: contact.id, status: contact.status } }
}

/** Delivery tuning from the environment; the defaults are the library's (Standard Webhooks schedule, 30 s leases). */
function deliveryFromEnv(env: NodeJS.ProcessEnv): DelivererOptions {
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]))
  return {
    ...(env.RETRY_DELAYS_MS && { retry: { delays: env.RETRY_DELAYS_MS.split(',').map(Number) } }),
    ...(env.LEASE_MS && { leaseMs: number('LEASE_MS') }),
    ...(env.POLL_MS && { pollInterval: number('POLL_MS') }),
  }
}

/**
 * An intermediary app. It receives the CRM's own
 * event at POST /webhook (X-Api-Key: INBOUND_KEY), answers 202 once the
 * event is committed to its outbox, and delivers it transformed to
 * TARGET_URL with TENANT_ID / API_TOKEN, retrying while the receiver is down.
 * With ADMIN_TOKEN set, the delivery console is at /admin/ (Bearer ADMIN_TOKEN), with
 * Prometheus metrics at /admin/metrics and /admin/health.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env, logger: Logger = pino()) {
  const outbox = outboxFromEnv(env, logger)
  const registry = new Registry()
  const metrics = prometheusMetrics({ registry, outbox })
  const relay = forward({
    to: env.TARGET_URL ?? 'http://127.0.0.1:3000/webhook',
    auth: basic({ tenant: env.TENANT_ID ?? 'tenant123', token: env.API_TOKEN ?? 'api_token_abc123' }),
    transform: toEnvelope,
    outbox,
    delivery: deliveryFromEnv(env),
    // One JSON line per delivery outcome: `event delivered`, `delivery failed, will retry`, `event dead`.
    logger,
    onEvent: metrics.onEvent,
  })
  const app = express()
  // The delivery console, its API, metrics and health, under their own token, only when one is given.
  if (env.ADMIN_TOKEN) app.use('/admin', adminRouter({ outbox, auth: bearer({ token: env.ADMIN_TOKEN }), metrics, logger }))
  // The middleware's default is 10 s; BODY_TIMEOUT_MS shortens it, e.g. for the fuzzer.
  const bodyTimeout = env.BODY_TIMEOUT_MS === undefined ? undefined : Number(env.BODY_TIMEOUT_MS)
  // One JSON line per event received: `webhook accepted` (or `webhook refused`, with its problem code).
  // Without the envelope, the event name is "" and its schema checks the whole body.
  app.all('/webhook', webhook({ auth: header('X-Api-Key', { tenant: 'crm', token: env.INBOUND_KEY ?? 'crm_key_123' }), envelope: false, bodyTimeout, schemas: { '': CrmEvent }, logger, onRequest: metrics.onRequest }), relay)
  return { app, relay, outbox, registry }
}
