import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basic, bearer, header, standardWebhooks, webhook } from '@webhook-trigger/express'
import { API_KEY, TENANT, TOKEN, type Upstream, credentials, listen, startUpstream } from '@webhook-trigger/testkit'
import express from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Webhook } from 'standardwebhooks'
import { basicAuth, bearerAuth, createClient, headerAuth, standardWebhooksSigner } from './index.js'

const fast = { baseDelay: 1, maxDelay: 5 }

describe('createClient() to a real Express receiver', () => {
  const seen: Array<{ tenant: string; event: string; id: string; data: unknown }> = []
  let receiver: { url: string; close(): Promise<void> }
  beforeAll(async () => {
    const app = express()
    app.all(
      '/webhook',
      webhook({
        auth: [basic(credentials), bearer(credentials), header('X-Api-Key', credentials)],
        handler: ({ tenant, event, id, data }) => void seen.push({ tenant, event, id, data }),
      }),
    )
    const server = await listen(createServer(app))
    receiver = { url: `${server.url}/webhook`, close: server.close }
  })
  afterAll(() => receiver.close())

  it.each([
    ['basicAuth', basicAuth(TENANT, TOKEN), TENANT],
    ['bearerAuth', bearerAuth(TOKEN), TENANT],
    ['headerAuth', headerAuth('X-Api-Key', API_KEY), 'crm'],
  ])('delivers the reference event with %s', async (_, auth, tenant) => {
    const client = createClient({ url: receiver.url, auth })
    const result = await client.send('customer_update', { id: '1234', status: 'active' })
    expect(result).toMatchObject({ outcome: 'delivered', status: 202, attempts: 1 })
    expect(seen.at(-1)).toEqual({ tenant, event: 'customer_update', id: result.idempotencyKey, data: { id: '1234', status: 'active' } })
  })

  it('reports the receiver\'s problem for wrong credentials, without retrying', async () => {
    const result = await createClient({ url: receiver.url, auth: basicAuth(TENANT, 'wrong'), retry: fast }).send('a', {})
    expect(result).toMatchObject({ outcome: 'rejected', status: 401, attempts: 1, problem: { code: 'auth.invalid' } })
  })

  it('keeps a given idempotency key', async () => {
    const result = await createClient({ url: receiver.url, auth: bearerAuth(TOKEN) }).send('a', {}, { idempotencyKey: 'order-77' })
    expect(result.idempotencyKey).toBe('order-77')
    expect(seen.at(-1)?.id).toBe('order-77')
  })
})

describe('createClient() against a failing upstream', () => {
  let upstream: Upstream | undefined
  afterEach(async () => {
    await upstream?.close()
    upstream = undefined
  })
  const client = (url: string, retry = {}) => createClient({ url, auth: basicAuth(TENANT, TOKEN), retry: { ...fast, ...retry }, timeout: 300 })

  it('retries a 500, then delivers, with the same idempotency key on both attempts', async () => {
    upstream = await startUpstream([{ status: 500 }, { status: 200, body: '{"ok":true}' }])
    const result = await client(upstream.url).send('a', {})
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2, body: { ok: true } })
    const keys = upstream.received.map((r) => r.headers['idempotency-key'])
    expect(keys).toEqual([result.idempotencyKey, result.idempotencyKey])
  })

  it('waits at least as long as Retry-After asks', async () => {
    upstream = await startUpstream([{ status: 429, headers: { 'retry-after': '1' } }, { status: 202 }])
    const result = await client(upstream.url).send('a', {})
    expect(result.outcome).toBe('delivered')
    const [first, second] = upstream.received
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000)
  })

  it('gives up at once when Retry-After asks for longer than it may wait', async () => {
    upstream = await startUpstream([{ status: 503, headers: { 'retry-after': '3600' } }])
    expect(await client(upstream.url).send('a', {})).toMatchObject({ outcome: 'failed', status: 503, attempts: 1 })
  })

  it('fails after every retry when the connection is refused', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const result = await client(`http://127.0.0.1:${port}/webhook`, { retries: 2 }).send('a', {})
    expect(result).toMatchObject({ outcome: 'failed', status: undefined, attempts: 3 })
  })

  it('times out a slow upstream', async () => {
    upstream = await startUpstream([{ status: 202, delay: 2000 }])
    const result = await client(upstream.url, { retries: 1 }).send('a', {})
    expect(result).toMatchObject({ outcome: 'failed', attempts: 2, error: 'timed out after 300 ms' })
  })

  it('does not follow a redirect', async () => {
    const elsewhere = await startUpstream()
    upstream = await startUpstream([{ status: 307, headers: { location: `${elsewhere.url}/steal` } }])
    const result = await client(upstream.url).send('a', {})
    expect(result).toMatchObject({ outcome: 'failed', status: 307, attempts: 1 })
    expect(elsewhere.received).toHaveLength(0)
    await elsewhere.close()
  })

  it.each([400, 404, 410, 422])('treats %i as final', async (status) => {
    upstream = await startUpstream([{ status }])
    expect(await client(upstream.url).send('a', {})).toMatchObject({ outcome: 'rejected', status, attempts: 1 })
  })

  it('drops a response body over maxResponseBytes instead of buffering it', async () => {
    upstream = await startUpstream([{ status: 200, body: 'x'.repeat(200_000) }])
    const result = await createClient({ url: upstream.url, auth: bearerAuth(TOKEN), maxResponseBytes: 1000 }).send('a', {})
    expect(result).toMatchObject({ outcome: 'delivered', body: undefined })
  })

  it('uses an injected fetch', async () => {
    const calls: string[] = []
    const fetch = (input: string, init: RequestInit) => {
      calls.push(`${init.method} ${input}`)
      return Promise.resolve(new Response('{"accepted":true}', { status: 202 }))
    }
    const result = await createClient({ url: 'https://hooks.example/webhook', auth: bearerAuth(TOKEN), fetch }).send('a', {})
    expect(result.outcome).toBe('delivered')
    expect(calls).toEqual(['POST https://hooks.example/webhook'])
  })
})

describe('createClient() signing', () => {
  const secret = 'whsec_' + Buffer.from('client signing secret').toString('base64')
  let upstream: Upstream | undefined
  afterEach(async () => {
    await upstream?.close()
    upstream = undefined
  })

  it('signs every attempt so a Standard Webhooks receiver verifies it, keeping webhook-id across retries', async () => {
    upstream = await startUpstream([{ status: 503 }, { status: 202 }])
    const client = createClient({ url: upstream.url, sign: standardWebhooksSigner(secret), retry: fast })
    const result = await client.send('customer_update', { id: '1234' })
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 })
    for (const { headers, body } of upstream.received) {
      expect(headers['webhook-id']).toBe(result.idempotencyKey)
      const wanted = { 'webhook-id': headers['webhook-id'], 'webhook-timestamp': headers['webhook-timestamp'], 'webhook-signature': headers['webhook-signature'] }
      expect(() => new Webhook(secret).verify(body.toString(), wanted as Record<string, string>)).not.toThrow()
    }
  })

  it('is accepted by our own standardWebhooks() receiver', async () => {
    const app = express()
    app.all('/webhook', webhook({ auth: standardWebhooks({ secret, tenant: 'acme' }) }))
    const server = await listen(createServer(app))
    try {
      const result = await createClient({ url: `${server.url}/webhook`, sign: standardWebhooksSigner(secret) }).send('a', {})
      expect(result).toMatchObject({ outcome: 'delivered', status: 202 })
    } finally {
      await server.close()
    }
  })
})

describe('createClient() options', () => {
  it.each([
    [{ url: 'not a url', auth: bearerAuth('x') }, /"url" must be an absolute URL/],
    [{ url: 'ftp://x/y', auth: bearerAuth('x') }, /"url" must use http or https/],
    [{ url: 'http://x/y', auth: {} }, /"auth" must come from basicAuth\(\)/],
    [{ url: 'http://x/y' }, /"auth" must come from basicAuth\(\).*or give "sign"/],
    [{ url: 'http://x/y', sign: {} }, /"sign" must come from standardWebhooksSigner\(\)/],
    [{ url: 'http://x/y', auth: bearerAuth('x'), timeout: 0 }, /"timeout" must be a positive number/],
    [{ url: 'http://x/y', auth: bearerAuth('x'), retry: { retries: -1 } }, /"retries" must be a non-negative number/],
    [{ url: 'http://x/y', auth: bearerAuth('x'), timeot: 5 }, /^createClient\(\): unknown option "timeot"; did you mean "timeout"\?/],
  ])('refuses %j', (options, message) => {
    expect(() => createClient(options as never)).toThrow(message)
  })

  it('refuses credentials that cannot be sent', () => {
    expect(() => basicAuth('a:b', 'x')).toThrow(/cannot contain ":"/)
    expect(() => bearerAuth('a\nb')).toThrow(/single-line/)
  })
})
