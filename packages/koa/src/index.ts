export { webhook, type KoaWebhookHandler, type KoaWebhookOptions } from './webhook.js'
export { forward, type ForwardMiddleware } from './forward.js'
export { basic, bearer, header, tenants, hashToken, memoryOutbox } from '@webhook-trigger/core'
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
