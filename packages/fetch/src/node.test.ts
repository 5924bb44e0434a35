import { type IncomingHttpHeaders, type Server, createServer } from 'node:http'
import { connect, createServer as createHttp2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import {
  type Start,
  type StartRelay,
  REFERENCE_PAYLOAD,
  TENANT,
  TOKEN,
  basicAuth,
  defaultOptions,
  describeConformance,
  describeForwarding,
  describeSignatures,
  listen,
  send,
  validRequest,
} from '@webhook-trigger/testkit'
import { Hono } from 'hono'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { type VerifiedWebhook, basic, forward, tenants, verifyWebhook, webhook } from './index.js'

type Fetch = (request: Request, host?: unknown) => Response | Promise<Response>

const serve = (fetch: Fetch) => listen(createAdaptorServer({ fetch }) as Server)


/** The bare Fetch handler on Node (node-server's adaptor: Request in, Response out, nothing else). */
const bare = async ({ webhook: options, mount = 'handler' }: Parameters<Start>[0], hideEnv = false) => {
  const calls: VerifiedWebhook[] = []
  if (mount === 'handler') {
    const handle = webhook({ ...options, handler: (hook) => void calls.push(hook) })
    return { ...(await serve((request, env) => handle(request, hideEnv ? undefined : env))), calls }
  }
  const verify = verifyWebhook(options)
  return {
    ...(await serve(async (request, env) => {
      const checked = await verify(request, hideEnv ? undefined : env)
      if (checked instanceof Response) return checked
      calls.push(checked)
      return Response.json(checked)
    })),
    calls,
  }
}

/** The same, hiding node-server's env: the body is read from the Web stream `request.body`. */
const webStream = (start: typeof bare): Start => (options) => start(options, true)

/** On Hono: the handler as a route's handler, or verifyWebhook() as middleware before a route. */
const hono: Start = async ({ webhook: options, mount = 'handler' }) => {
  const calls: VerifiedWebhook[] = []
  const app = new Hono<{ Variables: { webhook: VerifiedWebhook } }>()
  if (mount === 'handler') {
    const handle = webhook({ ...options, handler: (hook) => void calls.push(hook) })
    app.all('/webhook', (c) => handle(c.req.raw, c.env))
  } else {
    const verify = verifyWebhook(options)
    app.use('/webhook', async (c, next) => {
      const checked = await verify(c.req.raw, c.env)
      if (checked instanceof Response) return checked
      c.set('webhook', checked)
      await next()
    })
    app.all('/webhook', (c) => {
      calls.push(c.var.webhook)
      return c.json(c.var.webhook)
    })
  }
  return { ...(await serve(app.fetch)), calls }
}

describeConformance('fetch handler on node', bare)
describeSignatures('fetch handler on node', bare)
describeConformance('fetch handler on node, reading request.body', webStream(bare))
describeConformance('hono (node-server)', hono)
describeSignatures('hono (node-server)', hono)

const relay: StartRelay = async ({ forward: options, verify }) => {
  const handler = forward({ ...options, webhook: verify })
  const server = await serve(handler)
  return {
    url: server.url,
    deliverer: handler.deliverer,
    close: async () => {
      await handler.close()
      await server.close()
    },
  }
}
describeForwarding('fetch forward() on node', relay)

// Reading node-server's Node headers once sent HTTP/2's pseudo-headers (`:method`, `:path`) on to the upstream.
it('forward() on node-server over HTTP/2 sends no pseudo-headers upstream', async () => {
  const received: IncomingHttpHeaders[] = []
  const upstream = await listen(createServer((req, res) => void req.resume().on('end', () => res.writeHead(202).end(void received.push(req.headers)))))
  const handler = forward({ to: upstream.url })
  const server = createAdaptorServer({ fetch: handler, createServer: createHttp2Server })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  try {
    const stream = client.request({ ':method': 'POST', ':path': '/webhook', 'content-type': 'application/json' })
    const status = new Promise((resolve) => stream.on('response', (headers) => resolve(headers[':status'])))
    stream.end(REFERENCE_PAYLOAD)
    expect(await status).toBe(202)
    expect(Object.keys(received[0]!).filter((name) => name.startsWith(':'))).toEqual([])
  } finally {
    client.close()
    await handler.close()
    await new Promise((resolve) => server.close(resolve))
    await upstream.close()
  }
})

describe('fetch handler', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })
  const start = async (fetch: Fetch) => {
    const server = await serve(fetch)
    close = server.close
    return server.url
  }
  const auth = basic(tenants({ [TENANT]: TOKEN }))

  it("reads a Request a Hono middleware rebuilt from node-server's, not the Node request beneath it", async () => {
    const handle = webhook({ auth, handler: () => undefined })
    const app = new Hono()
    // Turns an API key into Basic and replaces the body, as an intermediary's middleware might.
    app.post('/webhook', (c) => {
      const headers = new Headers(c.req.raw.headers)
      headers.set('authorization', basicAuth(TENANT, c.req.header('x-api-key') ?? ''))
      headers.delete('content-length')
      return handle(new Request(c.req.raw.url, { method: 'POST', headers, body: REFERENCE_PAYLOAD }), c.env)
    })
    const url = await start(app.fetch)
    const reply = await send(url, { headers: { 'content-type': 'application/json', 'x-api-key': TOKEN }, body: '{"not":"an envelope"}' })
    expect(reply.status).toBe(202)
    expect((await send(url, { headers: { 'content-type': 'application/json', 'x-api-key': 'wrong' }, body: REFERENCE_PAYLOAD })).status).toBe(401)
  })

  it('answers with the Response a handler returns', async () => {
    const url = await start(webhook({ auth, handler: (hook) => Response.json({ seen: hook.event }, { status: 200 }) }))
    const reply = await send(url, validRequest())
    expect(reply.status).toBe(200)
    expect(reply.json()).toEqual({ seen: 'customer_update' })
  })

  it('routes events to their `on` handler and the rest to `handler`', async () => {
    const seen: string[] = []
    const url = await start(
      webhook({
        auth,
        on: { customer_update: (hook) => void seen.push(`on:${hook.event}`) },
        handler: (hook) => Promise.resolve().then(() => void seen.push(`fallback:${hook.event}`)),
      }),
    )
    expect((await send(url, validRequest())).status).toBe(202)
    expect((await send(url, validRequest({ body: '{"event":"ping","data":{}}' }))).status).toBe(202)
    expect(seen).toEqual(['on:customer_update', 'fallback:ping'])
  })

  it.each([
    ['rejects', () => Promise.reject(new Error('db down'))],
    ['throws', () => {
      throw new Error('db down')
    }],
  ])('when the handler %s: rejects with its error, for the host to answer, and handles the redelivery again', async (_, fail) => {
    let calls = 0
    const handle = webhook({ auth, dedupe: true, handler: () => (++calls === 1 ? fail() : undefined) })
    const url = await start(async (request) => {
      try {
        return await handle(request)
      } catch (error) {
        return Response.json({ failed: (error as Error).message }, { status: 503 })
      }
    })
    const request = validRequest({ headers: { 'idempotency-key': 'retry-me' } })
    const failed = await send(url, request)
    expect([failed.status, failed.json()]).toEqual([503, { failed: 'db down' }])
    expect((await send(url, request)).status).toBe(202)
    expect((await send(url, request)).json()).toMatchObject({ replay: true })
    expect(calls).toBe(2)
  })

  it('stops reading a stream at the limit instead of buffering all of it', async () => {
    let pulled = 0
    const chunk = new TextEncoder().encode('x'.repeat(1024))
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(chunk)
      },
    })
    const request = new Request('http://localhost/webhook', {
      method: 'POST',
      headers: validRequest().headers as Record<string, string>,
      body,
      duplex: 'half',
    } satisfies RequestInit & { duplex: 'half' })
    const response = await webhook({ auth, limit: '4kb' })(request)
    expect(response.status).toBe(413)
    // An endless body: only what fits the limit, plus what the stream queued ahead, was pulled.
    expect(pulled).toBeLessThan(10)
  })

  // A stalled body used to hold the request for as long as the client kept the stream open.
  it('answers 408 payload.timeout to a body that stops arriving, within bodyTimeout, and runs no handler', async () => {
    let handled = false
    const stalled = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"event":')) })
    const request = new Request('http://localhost/webhook', {
      method: 'POST',
      headers: validRequest().headers as Record<string, string>,
      body: stalled,
      duplex: 'half',
    } satisfies RequestInit & { duplex: 'half' })
    const response = await webhook({ auth, bodyTimeout: 200, handler: () => void (handled = true) })(request)
    expect(response.status).toBe(408)
    expect(await response.json()).toMatchObject({ code: 'payload.timeout' })
    expect(handled).toBe(false)
  })

  it('throws at creation when options are wrong, naming the option', () => {
    expect(() => webhook({ auth: [] })).toThrow('webhook(): "auth" must list at least one scheme')
    expect(() => webhook({ ...defaultOptions, pth: '/x' } as never)).toThrow('webhook(): unknown option "pth"; did you mean "path"?')
  })

  it('is a Fetch handler in the types', () => {
    expectTypeOf(webhook({ auth })).toEqualTypeOf<(request: Request, host?: unknown) => Promise<Response>>()
  })
})
