export { webhook, verifyWebhook, type FetchHandler, type FetchWebhookHandler, type FetchWebhookOptions } from './webhook.js'
export { forward, type FetchForwardOptions, type ForwardFetchHandler } from './forward.js'
export {
  basic,
  bearer,
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
