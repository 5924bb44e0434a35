export { webhook, type KoaWebhookHandler, type KoaWebhookOptions } from './webhook.js'
export { forward, type ForwardMiddleware } from './forward.js'
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
  Envelope,
  ForwardOptions,
  Identity,
  Outbox,
  Problem,
  ProblemCode,
  VerifiedWebhook,
} from '@webhook-trigger/core'
