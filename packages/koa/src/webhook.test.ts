import { createServer } from 'node:http'
import { bodyParser } from '@koa/bodyparser'
import {
  type Start,
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
import type Koa from 'koa'
import koa2 from 'koa2'
import koa3 from 'koa3'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { type VerifiedWebhook, type WebhookState, adminRouter, basic, forward, memoryOutbox, standardWebhooks, tenants, webhook } from './index.js'

type KoaClass = typeof koa3

/** Koa's callback handles its own errors; its promise only says when it is done. */
function serverOf(app: Koa) {
  const handle = app.callback()
  return createServer((req, res) => void handle(req, res))
}

const majors: Array<[string, KoaClass]> = [
  ['koa 2', koa2],
  ['koa 3', koa3],
]

function harness(App: KoaClass): Start {
  return async ({ webhook: options, mount = 'handler', parser = 'none' }) => {
    const calls: VerifiedWebhook[] = []
    const app = new App()
    // @koa/bodyparser always keeps ctx.request.rawBody, so both parser kinds are the same here.
    if (parser !== 'none') app.use(bodyParser())
    const handler = mount === 'handler' ? (hook: VerifiedWebhook) => void calls.push(hook) : undefined
    app.use(webhook({ ...options, path: '/webhook', handler }))
    app.use((ctx) => {
      calls.push(ctx.state.webhook!)
      ctx.body = ctx.state.webhook
    })
    return { ...(await listen(serverOf(app))), calls }
  }
}

for (const [name, App] of majors) {
  describeConformance(name, harness(App))
  describeBehindParser(name, harness(App))
  describeSignatures(name, harness(App))
  describeSlowClients(name, harness(App))
}

describe.each(majors)('%s: signatures behind @koa/bodyparser', (_, App) => {
  it('verifies with the raw body the parser keeps', async () => {
    const app = await harness(App)({ webhook: { auth: standardWebhooks({ secret: STANDARD_SECRET }) }, parser: 'json' })
    expect((await send(app.url, signedNow())).status).toBe(202)
    await app.close()
  })
})

describe.each(majors)('%s adapter', (_, App) => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })
  const serve = async (app: Koa) => {
    const server = await listen(serverOf(app))
    close = server.close
    return server.url
  }
  const auth = basic(tenants({ [TENANT]: TOKEN }))

  it('answers 202 when nothing downstream answered', async () => {
    const app = new App()
    app.use(webhook({ auth }))
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(202)
    expect(reply.json()).toMatchObject({ accepted: true })
  })

  it('leaves the answer to a downstream middleware that gave one', async () => {
    const app = new App()
    app.use(webhook({ auth }))
    app.use((ctx) => {
      ctx.status = 204
    })
    expect((await send(await serve(app), validRequest())).status).toBe(204)
  })

  it('lets a handler answer for itself', async () => {
    const app = new App()
    app.use(webhook({ auth, handler: (hook, ctx) => void (ctx.body = { seen: hook.event }) }))
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(200)
    expect(reply.json()).toEqual({ seen: 'customer_update' })
  })

  it('routes events to their `on` handler and the rest to `handler`', async () => {
    const seen: string[] = []
    const app = new App()
    app.use(
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

  it('lets a handler error reach the app error handling, exposing nothing', async () => {
    const app = new App()
    app.silent = true
    app.use(webhook({ auth, handler: () => Promise.reject(new Error('database down')) }))
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(500)
    expect(reply.text).not.toContain('database down')
  })

  it('handles a redelivery again when the first attempt failed, so no event is lost', async () => {
    let calls = 0
    const app = new App()
    app.silent = true
    app.use(webhook({ auth, dedupe: true, handler: () => (++calls === 1 ? Promise.reject(new Error('db down')) : undefined) }))
    const url = await serve(app)
    const request = validRequest({ headers: { 'idempotency-key': 'retry-me' } })
    expect((await send(url, request)).status).toBe(500)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await send(url, request)).status).toBe(202)
    expect((await send(url, request)).json()).toMatchObject({ replay: true })
    expect(calls).toBe(2)
  })

  it('passes other paths through when given a `path`', async () => {
    const app = new App()
    app.use(webhook({ auth, path: '/webhook' }))
    app.use((ctx) => void (ctx.body = 'ok'))
    const url = await serve(app)
    expect((await send(url, { method: 'GET', path: '/health' })).text).toBe('ok')
    expect((await send(url, validRequest({ method: 'GET', body: undefined }))).status).toBe(405)
  })

  it('answers 500 naming the fix when something consumed the body and kept nothing', async () => {
    const app = new App()
    app.use(async (ctx, next) => {
      ctx.req.resume()
      await new Promise((resolve) => ctx.req.on('end', resolve))
      await next()
    })
    app.use(webhook({ auth }))
    const reply = await send(await serve(app), validRequest())
    expect(reply.status).toBe(500)
    expect(reply.json<{ detail: string }>().detail).toMatch(/Mount the webhook middleware before the body parser/)
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
    expect(() => webhook({ ...defaultOptions, on: { a: 1 as never } })).toThrow('webhook(): on["a"] must be a function')
  })
})

describe('koa adapter types', () => {
  it('infers data from the event schema in `on` handlers', () => {
    webhook({
      auth: basic(tenants({ t: 'x' })),
      schemas: { customer_update: z.object({ id: z.string() }) },
      on: {
        customer_update: (hook, ctx) => {
          expectTypeOf(hook.data).toEqualTypeOf<{ id: string }>()
          expectTypeOf(ctx.state.webhook).toEqualTypeOf<VerifiedWebhook | undefined>()
        },
      },
    })
  })

  it('types ctx.state.webhook as set for the middleware after webhook(), under strict TypeScript', () => {
    const app = new koa3().use(webhook({ auth: basic(tenants({ t: 'x' })) }))
    app.use((ctx) => {
      expectTypeOf(ctx.state.webhook).toEqualTypeOf<VerifiedWebhook>()
      expectTypeOf(ctx.state.webhook.id).toEqualTypeOf<string>()
    })
    expectTypeOf(webhook({ auth: basic(tenants({ t: 'x' })) })).toEqualTypeOf<Koa.Middleware<WebhookState>>()
  })
})
