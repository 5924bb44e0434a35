export { webhook, keepRawBody, type ExpressWebhookHandler, type ExpressWebhookOptions } from './webhook.js'
export { basic, bearer, header, tenants, hashToken } from '@webhook-trigger/core'
export type { Credentials, VerifiedWebhook, Problem, ProblemCode } from '@webhook-trigger/core'
