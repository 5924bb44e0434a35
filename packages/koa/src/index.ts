export { webhook, type KoaWebhookHandler, type KoaWebhookOptions } from './webhook.js'
export { basic, bearer, header, tenants, hashToken } from '@webhook-trigger/core'
export type { Credentials, VerifiedWebhook, Problem, ProblemCode } from '@webhook-trigger/core'
