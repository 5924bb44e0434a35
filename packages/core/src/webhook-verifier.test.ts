import { describeConformance, startCore } from '@webhook-trigger/testkit'
import { describe, expect, it } from 'vitest'
import { type WebhookOptions, basic, createWebhookVerifier, tenants } from './index.js'

describeConformance('core on node:http', startCore)

describe('createWebhookVerifier() options', () => {
  const auth = basic(tenants({ t: 'token' }))

  it.each([
    [{}, /"auth" must list at least one scheme/],
    [{ auth: [] }, /"auth" must list at least one scheme/],
    [{ auth: [{}] }, /every "auth" entry must come from basic\(\), bearer\(\) or header\(\)/],
    [{ auth, limit: 'lots' }, /"limit" must be a positive byte count/],
    [{ auth, limit: '10 whatever' }, /"limit" must be a positive byte count/],
    [{ auth, limit: -1 }, /"limit" must be a positive byte count/],
    [{ auth, limit: 0 }, /"limit" must be a positive byte count/],
    [{ auth, limit: Number.NaN }, /"limit" must be a positive byte count/],
    [{ auth, maxDepth: 0 }, /"maxDepth" must be a positive integer/],
    [{ auth, path: 'webhook' }, /"path" must start with "\/"/],
    [{ auth, schemas: { a: { parse() {} } } }, /schemas\["a"\] must be a Standard Schema/],
  ])('throws a TypeError naming the option for %j', (options, message) => {
    expect(() => createWebhookVerifier(options as unknown as WebhookOptions)).toThrow(TypeError)
    expect(() => createWebhookVerifier(options as unknown as WebhookOptions)).toThrow(message)
  })

  it('accepts limits written as sizes', () => {
    expect(() => createWebhookVerifier({ auth, limit: '512kb' })).not.toThrow()
    expect(() => createWebhookVerifier({ auth, limit: 2048 })).not.toThrow()
  })

  it('handles only its path when given one, with or without a trailing slash', () => {
    const verifier = createWebhookVerifier({ auth, path: '/webhook' })
    expect(['/webhook', '/webhook/', '/webhook?x=1'].map((url) => verifier.handles(url))).toEqual([true, true, true])
    expect(['/', '/webhooks', '/webhook/x', '/other'].map((url) => verifier.handles(url))).toEqual([false, false, false, false])
  })
})
