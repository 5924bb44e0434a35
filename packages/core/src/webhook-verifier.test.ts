import { createHash } from 'node:crypto'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import {
  type SendOptions,
  REFERENCE_PAYLOAD,
  basicAuth,
  describeConformance,
  describeSlowClients,
  listen,
  oneConnection,
  send,
  signGithub,
  startCore,
  validRequest,
} from '@webhook-trigger/testkit'
import { describe, expect, it } from 'vitest'
import {
  type BodySource,
  type Credentials,
  type VerifyResult,
  type WebhookOptions,
  basic,
  bearer,
  createWebhookVerifier,
  githubSignature,
  memoryDeliveryLog,
  nodeRequest,
  tenants,
} from './index.js'

describeConformance('core on node:http', startCore)
describeSlowClients('core on node:http', startCore)

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
    [{ auth, bodyTimeout: 0 }, /"bodyTimeout" must be a whole number of milliseconds/],
    [{ auth, bodyTimeout: -5 }, /"bodyTimeout" must be a whole number of milliseconds/],
    [{ auth, bodyTimeout: 1.5 }, /"bodyTimeout" must be a whole number of milliseconds/],
    [{ auth, bodyTimeout: '10s' }, /"bodyTimeout" must be a whole number of milliseconds/],
    [{ auth, bodyTimeout: 2 ** 31 }, /"bodyTimeout" must be a whole number of milliseconds/],
    [{ auth, bodyTimeout: Infinity }, /"bodyTimeout" must be a whole number of milliseconds/],
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

describe('credentials remembered per connection', () => {
  it('asks a lookup again on every request: it may revoke a token between two requests on one connection', async () => {
    const live = new Set(['api_token_abc123'])
    let asked = 0
    const lookup: Credentials = {
      tokensOf(tenant) {
        asked++
        return tenant === 'tenant123' ? [...live] : undefined
      },
    }
    const app = await startCore({ webhook: { auth: basic(lookup) } })
    const { agent, opened } = oneConnection()
    try {
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) statuses.push((await send(app.url, { ...validRequest(), agent })).status)
      live.clear()
      statuses.push((await send(app.url, { ...validRequest(), agent })).status)
      expect(statuses).toEqual([202, 202, 202, 401])
      expect(asked).toBe(4)
      expect(opened()).toBe(1)
    } finally {
      agent.destroy()
      await app.close()
    }
  })

  it('asks a lookup added to a copy of tenants() every time: only tenants() itself is remembered', async () => {
    const revoked = new Set<string>()
    const base = tenants({ acme: 'tok_acme_1' })
    const lookup: Credentials = { ...base, tenantOf: (hex) => (revoked.has(hex) ? undefined : base.tenantOf!(hex)) }
    const app = await startCore({ webhook: { auth: bearer(lookup) } })
    const { agent, opened } = oneConnection()
    const request = validRequest({ headers: { authorization: 'Bearer tok_acme_1' } })
    try {
      expect((await send(app.url, { ...request, agent })).status).toBe(202)
      revoked.add(createHash('sha256').update('tok_acme_1').digest('hex'))
      expect((await send(app.url, { ...request, agent })).status).toBe(401)
      expect(opened()).toBe(1)
    } finally {
      agent.destroy()
      await app.close()
    }
  })

  it('keeps connections apart: what one connection proved does not vouch for another', async () => {
    const app = await startCore({ webhook: { auth: [basic(tenants({ tenant123: 'api_token_abc123' })), bearer(tenants({ other: 'other_token' }))] } })
    const first = oneConnection()
    const second = oneConnection()
    try {
      expect((await send(app.url, { ...validRequest(), agent: first.agent })).status).toBe(202)
      const wrong = validRequest({ headers: { authorization: basicAuth('tenant123', 'api_token_abc124') } })
      expect((await send(app.url, { ...wrong, agent: second.agent })).status).toBe(401)
      expect((await send(app.url, { ...wrong, agent: first.agent })).status).toBe(401)
    } finally {
      first.agent.destroy()
      second.agent.destroy()
      await app.close()
    }
  })
})

describe('replay protection across a change of secrets', () => {
  it('answers a redelivery 202 as a replay after the secret list changed from [old] to [new, old] on one delivery log', async () => {
    const replay = memoryDeliveryLog()
    const redelivery = {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signGithub('old', REFERENCE_PAYLOAD), 'x-github-delivery': 'rotated-1' },
      body: REFERENCE_PAYLOAD,
    }
    const before = await startCore({ webhook: { auth: githubSignature({ secret: 'old' }), replay } })
    const after = await startCore({ webhook: { auth: githubSignature({ secret: ['new', 'old'] }), replay } })
    try {
      expect((await send(before.url, redelivery)).status).toBe(202)
      // The first answer is recorded as handled once its response closes: poll past that.
      await expect.poll(async () => (await send(after.url, redelivery)).json()).toMatchObject({ accepted: true, replay: true })
      expect(after.calls).toHaveLength(0)
    } finally {
      await before.close()
      await after.close()
    }
  })
})

/** A bare node:http server running `handle` for every request. */
async function serverWith(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  return listen(createServer(handle))
}

const statusOf = (result: VerifyResult | undefined) => (result === undefined ? 0 : result.ok ? 202 : result.response.status)

describe('verify() with a callback', () => {
  const verifier = createWebhookVerifier({ auth: basic(tenants({ tenant123: 'api_token_abc123' })) })

  it('calls back inside the body\'s end event when no step waits: no microtask runs first', async () => {
    const app = await serverWith((req, res) => {
      const order: string[] = []
      // Queued from an earlier end listener: a promise-based verify would resolve after it.
      req.on('end', () => queueMicrotask(() => order.push('microtask')))
      verifier.verify(nodeRequest(req), (error, result) => {
        order.push(error === null && result.ok ? 'accepted' : 'refused')
        setImmediate(() => res.end(JSON.stringify(order)))
      })
    })
    try {
      expect((await send(app.url, validRequest())).json()).toEqual(['accepted', 'microtask'])
    } finally {
      await app.close()
    }
  })

  it('calls back before verify() returns for a refusal made from the headers', async () => {
    const small = createWebhookVerifier({ auth: basic(tenants({ tenant123: 'api_token_abc123' })), limit: 10 })
    const app = await serverWith((req, res) => {
      let returned = false
      let status = 0
      let before = false
      small.verify(nodeRequest(req), (_error, result) => {
        status = statusOf(result)
        before = !returned
      })
      returned = true
      res.end(JSON.stringify({ status, before }))
    })
    try {
      const refusals: Array<[number, SendOptions]> = [
        [401, validRequest({ headers: { authorization: basicAuth('tenant123', 'wrong') } })],
        [405, { ...validRequest(), method: 'GET', body: undefined }],
        [415, validRequest({ headers: { 'content-type': 'text/plain' } })],
        [413, validRequest()],
      ]
      for (const [status, request] of refusals) expect((await send(app.url, request)).json()).toEqual({ status, before: true })
    } finally {
      await app.close()
    }
  })

  it('lets a callback that throws throw to the caller of verify(), and calls it once', () => {
    let calls = 0
    const throwing = () => {
      calls++
      throw new Error('caller bug')
    }
    const headers = { authorization: basicAuth('tenant123', 'api_token_abc123'), 'content-type': 'application/json' }
    const bytes = Buffer.from('{"event":"e","data":{}}')
    expect(() => verifier.verify({ method: 'POST', headers: { ...headers, authorization: 'Basic eDp5' }, body: { kind: 'gone' } }, throwing)).toThrow('caller bug')
    expect(() => verifier.verify({ method: 'POST', headers, body: { kind: 'bytes', bytes } }, throwing)).toThrow('caller bug')
    expect(calls).toBe(2)
  })

  it.each([
    ['a synchronous', () => ['api_token_abc123']],
    ['an asynchronous', () => Promise.resolve(['api_token_abc123'])],
  ])('reports a body source it cannot read as an error, once, after %s lookup', async (_how, tokensOf) => {
    // Only a JavaScript caller can pass this; the old async verify() rejected, it must not hang now.
    const checked = createWebhookVerifier({ auth: basic({ tokensOf } as Credentials) })
    const request = {
      method: 'POST',
      headers: { authorization: basicAuth('tenant123', 'api_token_abc123'), 'content-type': 'application/json' },
      body: undefined as unknown as BodySource,
    }
    await expect(checked.verify(request)).rejects.toThrow(TypeError)
    const errors: unknown[] = []
    checked.verify(request, (error, _result) => void errors.push(error))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(TypeError)
  })

  it.each([
    ['throws', () => { throw new Error('lookup broke') }, 'lookup broke'],
    ['rejects', () => Promise.reject(new Error('lookup broke')), 'lookup broke'],
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- someone else's lookup may throw anything
    ['throws a non-Error', () => { throw 'plain string' }, 'verify(): a step failed with plain string'],
  ])('passes a lookup that %s to the callback once, as an Error, and rejects the promise with it', async (_how, tokensOf, message) => {
    const failing = createWebhookVerifier({ auth: basic({ tokensOf } as Credentials) })
    const calls: string[] = []
    const app = await serverWith((req, res) => {
      failing.verify(nodeRequest(req), (error, _result) => {
        calls.push(error instanceof Error ? error.message : `not an Error: ${String(error)}`)
        // The promise form gets the same error.
        failing.verify({ method: 'POST', headers: req.headers, body: { kind: 'bytes', bytes: Buffer.from('{}') } }).then(
          () => res.end('resolved'),
          (rejected: unknown) => res.end(rejected instanceof Error ? rejected.message : 'not an Error'),
        )
      })
    })
    try {
      expect((await send(app.url, validRequest())).text).toBe(message)
      expect(calls).toEqual([message])
    } finally {
      await app.close()
    }
  })
})
