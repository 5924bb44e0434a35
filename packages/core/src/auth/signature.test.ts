import { describeSignatures, startCore } from '@webhook-trigger/testkit'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { authenticate } from './authenticate.js'
import { githubSignature } from './github-signature.js'
import type { AuthScheme } from './scheme.js'
import { standardWebhooks } from './standard-webhooks.js'
import { stripeSignature } from './stripe-signature.js'
import { hmacSignature } from './hmac-signature.js'
import { tenants } from './credentials.js'

/** Runs one scheme over headers and body, as the verifier does. */
async function verdict(scheme: AuthScheme, headers: Record<string, string>, body: string | Buffer) {
  const first = await authenticate([scheme], headers, undefined)
  if (first.ok !== 'body') return first.ok ? 'ok' : first.problem.code
  const done = await first.finish(Buffer.from(body))
  return done.ok ? done.who.tenant : done.problem.code
}

describe('published known answers', () => {
  it("verifies GitHub's documented example", async () => {
    const scheme = githubSignature({ secret: "It's a Secret to Everybody", tenant: 'gh' })
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' }
    expect(await verdict(scheme, headers, 'Hello, World!')).toBe('gh')
    expect(await verdict(scheme, headers, 'Hello, World?')).toBe('signature.invalid')
  })

  it("verifies the Standard Webhooks libraries' test vector", async () => {
    const scheme = standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', tenant: 'sw' }, { now: () => 1614265330 * 1000 })
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    }
    expect(await verdict(scheme, headers, '{"test": 2432232314}')).toBe('sw')
  })

  it('agrees with the standardwebhooks library both ways, Svix header names included', async () => {
    const secret = 'whsec_' + Buffer.from('a shared secret of some length').toString('base64')
    const theirs = new Webhook(secret)
    const body = '{"event":"customer_update","data":{"id":"1234"}}'
    const at = new Date()
    const signature = theirs.sign('msg_x', at, body)
    const timestamp = String(Math.floor(at.getTime() / 1000))
    const ours = standardWebhooks({ secret, tenant: 't' })
    expect(await verdict(ours, { 'webhook-id': 'msg_x', 'webhook-timestamp': timestamp, 'webhook-signature': signature }, body)).toBe('t')
    expect(await verdict(ours, { 'svix-id': 'msg_x', 'svix-timestamp': timestamp, 'svix-signature': signature }, body)).toBe('t')
    expect(() => theirs.verify(body, { 'webhook-id': 'msg_x', 'webhook-timestamp': timestamp, 'webhook-signature': signature })).not.toThrow()
  })

  it('matches a Stripe-style signature computed independently, ignoring v0', async () => {
    const scheme = stripeSignature({ secret: 'whsec_abc', tenant: 's' }, { now: () => 1_700_000_000_000 })
    // printf '1700000000.{}' | openssl dgst -sha256 -hmac 'whsec_abc'
    const v1 = 'bad9ac117e973d721c232d46744158d75e3f1b44e36771e13d01b9e6a580bc72'
    const headers = { 'stripe-signature': `t=1700000000,v0=${'0'.repeat(64)},v1=${v1}` }
    expect(await verdict(scheme, headers, '{}')).toBe('s')
    expect(await verdict(scheme, headers, '{ }')).toBe('signature.invalid')
  })
})

describe('signature scheme options', () => {
  it.each([
    [() => standardWebhooks({ secret: 'whsec_***' }), /"whsec_" followed by base64/],
    [() => standardWebhooks({ secret: [] }), /"secret" must be a non-empty string or a list/],
    [() => githubSignature({ secret: 's' }, { tolerance: -1 }), /"tolerance" must be a number of seconds/],
    [() => stripeSignature(tenants({ a: 'x' })), /say which tenant a request is for/],
    [() => hmacSignature({ header: 'bad header' }, { secret: 's' }), /"header" must be a header name/],
    [() => hmacSignature({ header: 'X-Sig', algorithm: 'md5' as never }, { secret: 's' }), /"algorithm" must be "sha256" or "sha512"/],
  ])('throws at creation (%#)', (create, message) => {
    expect(create).toThrow(message)
  })

  it('finds per-tenant secrets in a credentials store', async () => {
    const scheme = githubSignature(tenants({ acme: 'acme secret', globex: 'globex secret' }), { tenant: (headers) => headers['x-tenant'] as string })
    const body = '{"event":"a","data":{}}'
    const { createHmac } = await import('node:crypto')
    const sign = (secret: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
    expect(await verdict(scheme, { 'x-tenant': 'globex', 'x-hub-signature-256': sign('globex secret') }, body)).toBe('globex')
    expect(await verdict(scheme, { 'x-tenant': 'acme', 'x-hub-signature-256': sign('globex secret') }, body)).toBe('signature.invalid')
    expect(await verdict(scheme, { 'x-hub-signature-256': sign('globex secret') }, body)).toBe('signature.invalid')
  })
})

describeSignatures('core on node:http', startCore)
