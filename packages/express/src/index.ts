export { webhook, type ExpressWebhookHandler, type ExpressWebhookOptions } from './webhook.js'
export { keepRawBody } from './keep-raw-body.js'
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
  Attempt,
  EventState,
  MemoryOutboxOptions,
  RetentionOptions,
  StoredEvent,
  OutboxStats,
  Problem,
  ProblemCode,
  RequestEvent,
  VerifiedWebhook,
} from '@webhook-trigger/core'
