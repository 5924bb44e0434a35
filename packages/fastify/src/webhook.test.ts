import type { AddressInfo } from 'node:net'
import {
  type Parser,
  type Start,
  REFERENCE_PAYLOAD,
  STANDARD_SECRET,
  TENANT,
  TOKEN,
  basicAuth,
  defaultOptions,
  describeBehindParser,
  describeConformance,
  describeSignatures,
  send,
  signedNow,
  validRequest,
} from '@webhook-trigger/testkit'
import type { FastifyInstance } from 'fastify'
import fastify4 from 'fastify4'
import fastify5 from 'fastify5'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { type VerifiedWebhook, basic, standardWebhooks, tenants, verifyWebhook, webhook } from './index.js'

type FastifyFactory = typeof fastify5

const majors: Array<[string, FastifyFactory]> = [
  ['fastify 4', fastify4],
  ['fastify 5', fastify5],
]

async function serve(app: FastifyInstance): Promise<{ url: string; close(): Promise<void> }> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() }
}

/**
 * The app's own parsers, registered outside the plugin: Fastify's JSON parser
 * (always there), or one that replaces it and reads the body as a string. The
 * webhook must verify the exact bytes either way.
 */
function appParser(app: FastifyInstance, parser: Parser): void {
  if (parser === 'none') return
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      done(error as Error)
    }
  })
}

function harness(fastify: FastifyFactory): Start {
  return async ({ webhook: options, mount = 'handler', parser = 'none' }) => {
    const calls: VerifiedWebhook[] = []
    const app = fastify({ forceCloseConnections: true })
    appParser(app, parser)
    if (mount === 'handler') {
      await app.register(webhook, { ...options, path: '/webhook', handler: (hook) => void calls.push(hook) })
    } else {
      app.all('/webhook', { preParsing: verifyWebhook(options) }, (request, reply) => {
        calls.push(request.webhook!)
        return reply.send(request.webhook)
      })
    }
    return { ...(await serve(app)), calls }
  }
}

for (const [name, fastify] of majors) {
  describeConformance(name, harness(fastify))
  describeBehindParser(name, harness(fastify))
  describeSignatures(name, harness(fastify))
}

describe.each(majors)('%s plugin', (_, fastify) => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })
  const start = async (app: FastifyInstance) => {
    const server = await serve(app)
    close = server.close
    return server.url
  }
  const auth = basic(tenants({ [TENANT]: TOKEN }))

  it('verifies a signature over the exact bytes while the app parses JSON for its other routes', async () => {
    const app = fastify()
    appParser(app, 'json')
    app.post('/orders', (request) => ({ parsed: request.body }))
    await app.register(webhook, { path: '/webhook', auth: standardWebhooks({ secret: STANDARD_SECRET }) })
    const url = await start(app)
    expect((await send(url, signedNow())).status).toBe(202)
    const orders = await send(url, { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
    expect(orders.json()).toEqual({ parsed: { a: 1 } })
  })

  it('lets a handler answer for itself', async () => {
    const app = fastify()
    await app.register(webhook, { path: '/webhook', auth, handler: (hook, _request, reply) => void reply.code(200).send({ seen: hook.event }) })
    const reply = await send(await start(app), validRequest())
    expect(reply.status).toBe(200)
    expect(reply.json()).toEqual({ seen: 'customer_update' })
  })

  it('answers with the media types Express and Koa send, no charset added, through the app\'s onSend hooks', async () => {
    const app = fastify()
    app.addHook('onSend', async (_request, reply) => void reply.header('x-seen', 'yes'))
    await app.register(webhook, { path: '/webhook', auth })
    const url = await start(app)
    const accepted = await send(url, validRequest())
    expect([accepted.status, accepted.headers['content-type'], accepted.headers['x-seen']]).toEqual([202, 'application/json', 'yes'])
    const refused = await send(url, validRequest({ headers: { authorization: basicAuth(TENANT, 'wrong') } }))
    expect([refused.status, refused.headers['content-type'], refused.headers['x-seen']]).toEqual([401, 'application/problem+json', 'yes'])
  })

  it('routes events to their `on` handler and the rest to `handler`, awaiting either', async () => {
    const seen: string[] = []
    const app = fastify()
    await app.register(webhook, {
      path: '/webhook',
      auth,
      on: { customer_update: (hook) => void seen.push(`on:${hook.event}`) },
      handler: async (hook) => {
        await Promise.resolve()
        seen.push(`fallback:${hook.event}`)
      },
    })
    const url = await start(app)
    expect((await send(url, validRequest())).status).toBe(202)
    expect((await send(url, validRequest({ body: '{"event":"ping","data":{}}' }))).status).toBe(202)
    expect(seen).toEqual(['on:customer_update', 'fallback:ping'])
  })

  it('mounts under the register prefix', async () => {
    const app = fastify()
    await app.register(webhook, { prefix: '/hooks', path: '/crm', auth })
    const url = await start(app)
    expect((await send(url, validRequest({ path: '/hooks/crm' }))).status).toBe(202)
    expect((await send(url, validRequest({ path: '/webhook' }))).status).toBe(404)
  })

  it.each([
    ['a handler that rejects', { handler: () => Promise.reject(new Error('database down')) }, 'database down'],
    ['a handler that throws synchronously', { handler: () => { throw new Error('bad mapping') } }, 'bad mapping'],
    ['a failing credentials lookup', { auth: basic({ tokensOf: () => Promise.reject(new Error('lookup down')) }) }, 'lookup down'],
  ])('passes %s to the app error handler', async (_what, options, message) => {
    const app = fastify()
    app.setErrorHandler((error: Error, _request, reply) => reply.code(503).send({ failed: error.message }))
    await app.register(webhook, { path: '/webhook', auth, ...options })
    const reply = await send(await start(app), validRequest())
    expect(reply.status).toBe(503)
    expect(reply.json()).toEqual({ failed: message })
  })

  it('hands the route handler the parsed body and the verified webhook in route-level use', async () => {
    const app = fastify()
    app.post('/webhook', { preParsing: verifyWebhook({ auth }) }, (request) => ({ body: request.body, tenant: request.webhook?.tenant }))
    const reply = await send(await start(app), validRequest())
    expect(reply.status).toBe(200)
    expect(reply.json()).toEqual({ body: JSON.parse(REFERENCE_PAYLOAD) as unknown, tenant: TENANT })
  })

  it('throws at creation when options are wrong, naming the option', async () => {
    await expect(fastify().register(webhook, { path: '/webhook', auth: [] })).rejects.toThrow('webhook(): "auth" must list at least one scheme')
    expect(() => verifyWebhook({ ...defaultOptions, pth: '/x' } as never)).toThrow('webhook(): unknown option "pth"; did you mean "path"?')
  })
})

describe('fastify plugin types', () => {
  it('types request.webhook', () => {
    const app = fastify5()
    app.post('/webhook', { preParsing: verifyWebhook({ auth: basic(tenants({ t: 'x' })) }) }, (request) => {
      expectTypeOf(request.webhook).toEqualTypeOf<VerifiedWebhook | undefined>()
    })
  })
})
