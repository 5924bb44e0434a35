export { webhook, keepRawBody, type ExpressWebhookHandler, type ExpressWebhookOptions } from './webhook.js'
export { forward, type ForwardMiddleware } from './forward.js'
export { adminRouter } from './admin-router.js'
export {
  basic,
  bearer,
  checkHealth,
  createMetrics,
  githubSignature,
  hashToken,
  header,
  hmacSignature,
  memoryDeliveryLog,
  memoryOutbox,
  standardWebhooks,
  standardWebhooksSigner,
  stripeSignature,
  tenants,
} from '@webhook-trigger/core'
export type {
  AdminOptions,
  Credentials,
  DelivererOptions,
  DeliveryEvent,
  Envelope,
  ForwardOptions,
  Health,
  HealthOptions,
  Identity,
  Logger,
  Outbox,
  OutboxStats,
  Problem,
  ProblemCode,
  RequestEvent,
  VerifiedWebhook,
} from '@webhook-trigger/core'
