import { describe, expect, it } from 'vitest'
import {
  basic,
  bearer,
  createAdminHandler,
  createDeliverer,
  createForwardHandler,
  createForwarder,
  createRetryPolicy,
  createWebhookVerifier,
  githubSignature,
  header,
  hmacSignature,
  memoryOutbox,
  standardWebhooks,
  stripeSignature,
  tenants,
} from './index.js'

const credentials = tenants({ tenant123: 'api_token_abc123' })
const auth = basic(credentials)
const to = 'http://127.0.0.1:9/webhook'
const secret = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }

// Plain JavaScript has no compiler to catch a misspelt option: each factory must.
describe('every factory refuses an unknown option, naming it and the closest valid one', () => {
  it.each([
    ['createWebhookVerifier()', () => createWebhookVerifier({ auth, pth: '/webhook' } as never), 'pth', 'path'],
    ['createWebhookVerifier() dedupe', () => createWebhookVerifier({ auth, dedupe: { windw: '1h' } } as never), 'windw', 'window'],
    ['createForwardHandler()', () => createForwardHandler({ to, outbx: memoryOutbox() } as never), 'outbx', 'outbox'],
    ['createForwardHandler() retry', () => createForwardHandler({ to, retry: { retires: 1 } } as never), 'retires', 'retries'],
    ['createForwardHandler() delivery', () => createForwardHandler({ to, outbox: memoryOutbox(), delivery: { concurency: 2 } } as never), 'concurency', 'concurrency'],
    ['createForwarder()', () => createForwarder({ to, timout: 5 } as never), 'timout', 'timeout'],
    ['createDeliverer()', () => createDeliverer(memoryOutbox(), createForwarder({ to }), { leasMs: 5 } as never), 'leasMs', 'leaseMs'],
    ['createRetryPolicy()', () => createRetryPolicy({ maxdelay: 5 } as never), 'maxdelay', 'maxDelay'],
    ['createAdminHandler()', () => createAdminHandler({ outbox: memoryOutbox(), auth: bearer(credentials), metric: {} } as never), 'metric', 'metrics'],
    ['basic()', () => basic(credentials, { relm: 'x' } as never), 'relm', 'realm'],
    ['bearer()', () => bearer(credentials, { Realm: 'x' } as never), 'Realm', 'realm'],
    ['header()', () => header('X-Api-Key', credentials, { prefx: 'Token ' } as never), 'prefx', 'prefix'],
    ['standardWebhooks()', () => standardWebhooks(secret, { tolerence: 5 } as never), 'tolerence', 'tolerance'],
    ['standardWebhooks() secrets', () => standardWebhooks({ secrets: secret.secret } as never), 'secrets', 'secret'],
    ['githubSignature()', () => githubSignature(secret, { reaml: 'x' } as never), 'reaml', 'realm'],
    ['stripeSignature()', () => stripeSignature(secret, { tennant: () => 'x' } as never), 'tennant', 'tenant'],
    ['hmacSignature()', () => hmacSignature({ header: 'X-Sig', encodng: 'hex' } as never, secret), 'encodng', 'encoding'],
  ])('%s', (_, create, key, near) => {
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`unknown`)
    expect(create).toThrow(new RegExp(`"${key}"; did you mean "${near}"\\?`))
  })

  it('accepts every documented option of webhook()', () => {
    const create = () =>
      createWebhookVerifier({ auth, path: '/webhook', limit: '1mb', maxDepth: 8, envelope: true, replay: false, dedupe: false, schemas: {}, on: {}, handler: () => undefined } as never)
    expect(create).not.toThrow()
  })
})
