export { webhook, verifyWebhook, type FastifyWebhookHandler, type FastifyWebhookOptions } from './webhook.js'
export { forward, type FastifyForwardOptions, type ForwardPlugin } from './forward.js'
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
  Credentials,
  DelivererOptions,
  DeliveryEvent,
  Envelope,
  ForwardOptions,
  Identity,
  Outbox,
  Problem,
  ProblemCode,
  VerifiedWebhook,
} from '@webhook-trigger/core'
