export { webhook, keepRawBody, type ExpressWebhookHandler, type ExpressWebhookOptions } from './webhook.js'
export { forward, type ForwardMiddleware } from './forward.js'
export { adminRouter } from './admin-router.js'
export {
  basic,
  bearer,
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
  Identity,
  Outbox,
  Attempt,
  EventState,
  MemoryOutboxOptions,
  RetentionOptions,
  StoredEvent,
  Problem,
  ProblemCode,
  VerifiedWebhook,
} from '@webhook-trigger/core'
