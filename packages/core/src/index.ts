export { basic, type BasicOptions } from './auth/basic.js'
export { bearer, type BearerOptions } from './auth/bearer.js'
export { header, type HeaderOptions } from './auth/header.js'
export { tenants, hashToken, type Credentials } from './auth/credentials.js'
export { authenticate, type AuthResult, type Authenticated, type HeaderAuthResult } from './auth/authenticate.js'
export type { AttachingScheme, AuthFailure, AuthOutcome, AuthScheme, BodyCheck } from './auth/scheme.js'
export { bodySource, nodeRequest, type BodySource } from './body/body-source.js'
export { checkEnvelope, type Envelope } from './payload/envelope.js'
export { parseJson } from './payload/parse-json.js'
export type { StandardSchemaV1 } from './payload/schema.js'
export { PROBLEMS, problem, problemResponse } from './problem.js'
export type { FieldError, Problem, ProblemCode, WebhookResponse } from './problem.js'
export { acceptedResponse } from './handlers.js'
export { createDispatch, type Dispatch, type DispatchHost } from './dispatch.js'
export {
  createWebhookVerifier,
  type VerifyCallback,
  type RequestEvent,
  type VerifyResult,
  type WebhookOptions,
  type WebhookRequest,
  type WebhookVerifier,
} from './webhook-verifier.js'
export type { EventData, EventSchemas, VerifiedWebhook } from './webhook.js'
export { settleOnFinish, writeResponse } from './write-response.js'
export { type Identity } from './auth/credentials.js'
export { forwardHeaders, type ForwardContext } from './forward/forward-headers.js'
export {
  createForwarder,
  RELAY_RETRY,
  type AttemptResult,
  type DeliveryResult,
  type Forwarder,
  type ForwarderOptions,
  type Outgoing,
} from './forward/forwarder.js'
export {
  createForwardHandler,
  relayResponse,
  type ForwardHandler,
  type ForwardOptions,
  type ForwardRequest,
} from './forward/forward-handler.js'
export type {
  Activity,
  Attempt,
  EventPage,
  EventQuery,
  EventState,
  Lease,
  NewMessage,
  Outbox,
  OutboxMessage,
  OutboxState,
  OutboxStats,
  StoredEvent,
} from './outbox/outbox.js'
export { memoryOutbox, type MemoryOutboxOptions } from './outbox/memory-outbox.js'
export { RETENTION_KEYS, keepsDelivered, purgeTimer, resolveRetention, type Retention, type RetentionOptions } from './outbox/retention.js'
export { activityBuckets, decodeCursor, encodeCursor, excerpt, failed, type CursorKey } from './outbox/event-query.js'
export { createDeliverer, type Deliverer, type DelivererOptions, type DeliveryEvent } from './outbox/deliverer.js'
export {
  STANDARD_SCHEDULE,
  checkOptions,
  createRetryPolicy,
  isRetryableStatus,
  optionKeys,
  parseRetryAfter,
  standardWebhooksSigner,
  type OutboundAuth,
  type RetryPolicy,
  type RetryPolicyOptions,
  type Signer,
} from '@webhook-trigger/client'
export { standardWebhooks } from './auth/standard-webhooks.js'
export { githubSignature } from './auth/github-signature.js'
export { stripeSignature } from './auth/stripe-signature.js'
export { hmacSignature, type HmacSignatureOptions } from './auth/hmac-signature.js'
export type { SignatureOptions, SignatureSecrets } from './auth/signature.js'
export { memoryDeliveryLog, type Claim, type DeliveryLog } from './replay/delivery-log.js'
export { createDeliveryTracker, type DedupeOptions, type DeliveryTracker } from './replay/delivery-tracker.js'
export { createAdminHandler, type AdminHandler, type AdminOptions, type AdminRequest } from './admin/admin-handler.js'
export { createMetrics, type Metrics, type MetricsSnapshot } from './admin/metrics.js'
export { checkHealth, healthResponse, type Health, type HealthLimit, type HealthOptions } from './health/health.js'
export { createLog, errorFields, isLogger, checkLogger, type Log, type LogFields, type Logger } from './log/logger.js'
export { createStderrLogger, type StderrLoggerOptions } from './log/stderr-logger.js'
