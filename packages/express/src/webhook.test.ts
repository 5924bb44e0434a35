import { createServer } from 'node:http'
import {
  type Start,
  REFERENCE_PAYLOAD,
  TENANT,
  TOKEN,
  STANDARD_SECRET,
  defaultOptions,
  describeBehindParser,
  describeConformance,
  describeSignatures,
  describeSlowClients,
  signedNow,
  listen,
  send,
  validRequest,
} from '@webhook-trigger/testkit'
import type { ErrorRequestHandler, Express, Request, Response } from 'express'
import express4 from 'express4'
import express5 from 'express5'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { type VerifiedWebhook, adminRouter, basic, forward, memoryOutbox, keepRawBody, standardWebhooks, tenants, webhook } from './index.js'

type ExpressFactory = typeof express5

const majors: Array<[string, ExpressFactory]> = [
  ['express 4', express4],
  ['express 5', express5],
]

function harness(express: ExpressFactory): Start {
  return async ({ webhook: options, mount = 'handler', parser = 'none' }) => {
    const calls: VerifiedWebhook[] = []
    const app = express()
    if (parser === 'json') app.use(express.json())
    if (parser === 'json-raw') app.use(express.json({ verify: keepRawBody }))
    const handler = mount === 'handler' ? (hook: VerifiedWebhook) => void calls.push(hook) : undefined
    app.all('/webhook', webhook({ ...options, handler }), (req: Request, res: Response) => {
      calls.push(req.webhook!)
      res.json(req.webhook)
    })
    return { ...(await listen(createServer(app))), calls }
  }
}

for (const [name, express] of majors) {
  describeConformance(name, harness(express))
  describeBehindParser(name, harness(express))
  describeSignatures(name, harness(express))
  describeSlowClients(name, harness(express))
}

describe.each(majors)('%s: signatures behind express.json()', (_, express) => {
  const options = { webhook: { auth: standardWebhooks({ secret: STANDARD_SECRET }) } }

  it('says at the first request that the bytes are gone, naming keepRawBody', async () => {
    const app = await harness(express)({ ...options, parser: 'json' })
    const reply = await send(app.url, signedNow())
    expect(reply.status).toBe(500)
    expect(reply.json()).toMatchObject({ code: 'server.raw_body_unavailable' })
    expect(reply.json<{ detail: string }>().detail).toContain('express.json({ verify: keepRawBody })')
    await app.close()
  })

  it('verifies with the bytes keepRawBody kept', async () => {
    const app = await harness(express)({ ...options, parser: 'json-raw' })
    expect((await send(app.url, signedNow())).status).toBe(202)
    await app.close()
  })
})

describe.each(majors)('%s adapter', (_, express) => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })
  const serve = async (app: Express) => {
    const server = await listen(createServer(app))
    close = server.close
    return server.url
  }
  const auth = basic(tenants({ [TENANT]: TOKEN }))

  it('lets a handler answer for itself', async () => {
    const app = express()
    app.all('/webhook', webhook({ auth, handler: (hook, _req, res) => void res.status(200).json({ seen: hook.event }) }))
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(200)
    expect(reply.json()).toEqual({ seen: 'customer_update' })
  })

  it('routes events to their `on` handler and the rest to `handler`', async () => {
    const seen: string[] = []
    const app = express()
    app.all(
      '/webhook',
      webhook({
        auth,
        schemas: { customer_update: null, ping: null },
        on: { customer_update: (hook) => void seen.push(`on:${hook.event}`) },
        handler: (hook) => void seen.push(`fallback:${hook.event}`),
      }),
    )
    const url = await serve(app)
    expect((await send(url, validRequest())).status).toBe(202)
    expect((await send(url, validRequest({ body: '{"event":"ping","data":{}}' }))).status).toBe(202)
    expect(seen).toEqual(['on:customer_update', 'fallback:ping'])
  })

  it.each([
    ['a handler that rejects', { handler: () => Promise.reject(new Error('database down')) }, 'database down'],
    ['a handler that throws synchronously', { handler: () => { throw new Error('bad mapping') } }, 'bad mapping'],
    ['a failing credentials lookup', { auth: basic({ tokensOf: () => Promise.reject(new Error('lookup down')) }) }, 'lookup down'],
  ])('passes %s to the app error handler, not to the caller as a 4xx or a secret-bearing page', async (_what, options, message) => {
    const app = express()
    app.all('/webhook', webhook({ auth, ...options }))
    const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => void res.status(503).json({ failed: error.message })
    app.use(onError)
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(503)
    expect(reply.json()).toEqual({ failed: message })
  })

  it('answers 202 when it ends its route, and passes on when a handler follows', async () => {
    const app = express()
    app.all('/alone', webhook({ auth }))
    app.route('/chained').post(webhook({ auth })).get((_req, res) => void res.send('status page'))
    app.post('/followed', webhook({ auth }), (req, res) => void res.status(200).json({ handledBy: 'route', id: req.webhook?.id }))
    const url = await serve(app)
    expect((await send(url, validRequest({ path: '/alone' }))).status).toBe(202)
    expect((await send(url, validRequest({ path: '/chained' }))).status).toBe(202)
    const followed = await send(url, validRequest({ path: '/followed', headers: { 'webhook-id': 'w1' } }))
    expect(followed.status).toBe(200)
    expect(followed.json()).toEqual({ handledBy: 'route', id: 'w1' })
  })

  it('handles a redelivery again when the first attempt failed, so no event is lost', async () => {
    let calls = 0
    const app = express()
    app.all('/webhook', webhook({ auth, dedupe: true, handler: () => (++calls === 1 ? Promise.reject(new Error('db down')) : undefined) }))
    app.use(((_error, _req, res, _next) => void res.status(500).end()) as ErrorRequestHandler)
    const url = await serve(app)
    const request = validRequest({ headers: { 'idempotency-key': 'retry-me' } })
    expect((await send(url, request)).status).toBe(500)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await send(url, request)).status).toBe(202)
    expect((await send(url, request)).json()).toMatchObject({ replay: true })
    expect(calls).toBe(2)
  })

  it('serves only its `path` when mounted with app.use()', async () => {
    const app = express()
    app.use(webhook({ auth, path: '/webhook', handler: () => undefined }))
    app.get('/health', (_req, res) => void res.send('ok'))
    const url = await serve(app)
    expect((await send(url, { method: 'GET', path: '/health' })).text).toBe('ok')
    expect((await send(url, validRequest())).status).toBe(202)
    expect((await send(url, validRequest({ method: 'GET', body: undefined }))).status).toBe(405)
  })

  it('answers 500 naming the fix when something consumed the body and kept nothing', async () => {
    const app = express()
    app.use((req, _res, next) => {
      req.resume()
      req.on('end', () => next())
    })
    app.all('/webhook', webhook({ auth, handler: () => undefined }))
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(500)
    expect(reply.json()).toMatchObject({ code: 'server.raw_body_unavailable' })
    expect(reply.json<{ detail: string }>().detail).toMatch(/Mount the webhook middleware before the body parser/)
  })

  it('keeps the exact bytes with keepRawBody, even when JSON would re-serialise differently', async () => {
    const body = '{ "event" : "customer_update", "data" : {"id":"1234"} }'
    const calls: VerifiedWebhook[] = []
    const app = express()
    app.use(express.json({ verify: keepRawBody }))
    app.all('/webhook', webhook({ auth, handler: (hook) => void calls.push(hook) }))
    expect((await send(await serve(app), validRequest({ body }))).status).toBe(202)
    expect(calls[0]?.rawBody?.toString()).toBe(body)
    expect(calls[0]?.rawBody?.toString()).not.toBe(REFERENCE_PAYLOAD)
  })

  it('throws at creation when options are wrong', () => {
    expect(() => webhook({ auth: [] })).toThrow('webhook(): "auth" must list at least one scheme')
  })

  // The README's promise for plain JavaScript: a typo fails loudly instead of meaning "no path".
  it.each([
    ['webhook()', () => webhook({ pth: '/webhook', auth } as never), 'pth', 'path'],
    ['forward()', () => forward({ to: 'http://127.0.0.1:9/webhook', outbx: memoryOutbox() } as never), 'outbx', 'outbox'],
    ['adminRouter()', () => adminRouter({ outbox: memoryOutbox(), auth, metric: {} } as never), 'metric', 'metrics'],
  ])('%s throws a TypeError naming an unknown option and the closest valid one', (where, create, key, near) => {
    expect(create).toThrow(TypeError)
    expect(create).toThrow(`${where}: unknown option "${key}"; did you mean "${near}"?`)
    expect(() => webhook({ ...defaultOptions, handler: 'x' as never })).toThrow('webhook(): "handler" must be a function')
  })
})

describe('express adapter types', () => {
  it('infers data from the event schema in `on` handlers', () => {
    webhook({
      auth: basic(tenants({ t: 'x' })),
      schemas: { customer_update: z.object({ id: z.string(), status: z.enum(['active', 'inactive']) }), ping: null },
      on: {
        customer_update: (hook, req) => {
          expectTypeOf(hook.data).toEqualTypeOf<{ id: string; status: 'active' | 'inactive' }>()
          expectTypeOf(hook.event).toEqualTypeOf<'customer_update'>()
          expectTypeOf(req.webhook).toEqualTypeOf<VerifiedWebhook | undefined>()
        },
        ping: (hook) => expectTypeOf(hook.data).toEqualTypeOf<Record<string, unknown>>(),
      },
    })
    // @ts-expect-error an event that was not declared in `schemas`
    webhook({ auth: basic(tenants({ t: 'x' })), schemas: { a: null }, on: { b: () => undefined } })
  })
})
