export { createClient, type ClientOptions, type ReceivedProblem, type SendOptions, type SendResult, type WebhookClient } from './create-client.js'
export { isSigner, standardWebhooksSigner, type Signer } from './sign.js'
export { basicAuth, bearerAuth, headerAuth, isOutboundAuth, type OutboundAuth } from './auth.js'
export {
  STANDARD_SCHEDULE,
  createRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  type AttemptOutcome,
  type RetryDecision,
  type RetryPolicy,
  type RetryPolicyOptions,
} from './retry-policy.js'
export { checkOptions, optionKeys } from './check-options.js'
