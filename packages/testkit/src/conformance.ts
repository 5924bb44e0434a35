import { PROBLEMS, type ProblemCode, type VerifiedWebhook, type WebhookOptions } from '@webhook-trigger/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  API_KEY,
  NEXT_TOKEN,
  REFERENCE_PAYLOAD,
  TENANT,
  TOKEN,
  basicAuth,
  nested,
  validRequest,
  without,
} from './fixtures.js'
import { type Reply, type SendOptions, oneConnection, send } from './http-client.js'
import { scenario } from './scenarios.js'

/** How the app under test reaches the webhook's verified result. */
export type Mount =
  /** `handler` option records the webhook and returns: the adapter answers 202. */
  | 'handler'
  /** No handler option: a downstream route records `req.webhook` / `ctx.state.webhook` and answers 200 with it. */
  | 'next'

/** A body parser mounted before the webhook middleware. */
export type Parser = 'none' | 'json' | 'json-raw'

export interface HarnessOptions {
  /**
   * The scenario these options come from (scenarios.ts): all a host in
   * another process needs to build the same options itself.
   */
  scenario?: string
  webhook: WebhookOptions
  mount?: Mount
  parser?: Parser
}

export interface Running {
  url: string
  /** Every webhook a handler (or downstream route) saw, in order; read it through {@link seen}. */
  calls: VerifiedWebhook[]
  /**
   * Every webhook the handler saw, fetched from a host in another process,
   * whose `calls` cannot be read; in-process hosts fill `calls` as they go.
   */
  sync?(): Promise<VerifiedWebhook[]>
  close(): Promise<void>
}

/** Every webhook `app`'s handler saw so far, in order, wherever the host runs. */
export async function seen(app: Running): Promise<VerifiedWebhook[]> {
  return app.sync === undefined ? app.calls : app.sync()
}

/** Starts a real server mounting the webhook at POST /webhook. */
export type Start = (options: HarnessOptions) => Promise<Running>

interface Row {
  name: string
  request: SendOptions
  status: number
  code?: ProblemCode
  check?: (reply: Reply) => void
}

// Fetch hosts (Hono, Bun, Deno) send a list header as one comma-joined line,
// which RFC 9110 section 5.3 makes equivalent to one line per challenge: a
// new challenge starts where a comma is followed by a scheme name and a space.
const NEXT_CHALLENGE = /,\s*(?=[A-Za-z][\w!#$%&'*+.^`|~-]*\s)/
const challengeOf = (reply: Reply): string[] =>
  (reply.headersDistinct['www-authenticate'] ?? []).flatMap((line) => line.split(NEXT_CHALLENGE))

function expectProblem(reply: Reply, code: ProblemCode): void {
  expect(reply.headers['content-type']).toBe('application/problem+json')
  const body = reply.json()
  expect(body).toMatchObject({ code, status: PROBLEMS[code].status, title: PROBLEMS[code].title })
  expect(body.type).toBe(`urn:webhook-trigger:problem:${code}`)
  expect(typeof body.detail).toBe('string')
}

/** No secret we configured may ever appear in an answer. */
function expectNoSecret(reply: Reply): void {
  const everything = reply.text + JSON.stringify(reply.headers)
  for (const secret of [TOKEN, NEXT_TOKEN, API_KEY, 'pässwörd']) expect(everything).not.toContain(secret)
}

const chunk = (n: number) => `{"event":"big","data":{"pad":"${'x'.repeat(n)}"}}`
const MIB = 1024 * 1024

/** The status table (core's PROBLEMS, listed in docs/errors.md), one row per line. */
const rows: Row[] = [
  // Credentials
  { name: 'no credentials', request: without('authorization'), status: 401, code: 'auth.missing' },
  { name: 'unknown tenant', request: validRequest({ headers: { authorization: basicAuth('nobody', TOKEN) } }), status: 401, code: 'auth.invalid' },
  { name: 'wrong token', request: validRequest({ headers: { authorization: basicAuth(TENANT, 'wrong') } }), status: 401, code: 'auth.invalid' },
  {
    name: 'a token differing only in its last byte',
    request: validRequest({ headers: { authorization: basicAuth(TENANT, TOKEN.slice(0, -1) + '4') } }),
    status: 401,
    code: 'auth.invalid',
  },
  { name: 'a token of another tenant', request: validRequest({ headers: { authorization: basicAuth('crm', TOKEN) } }), status: 401, code: 'auth.invalid' },
  { name: 'Basic with nothing after it', request: validRequest({ headers: { authorization: 'Basic' } }), status: 401, code: 'auth.invalid' },
  { name: 'Basic that is not base64', request: validRequest({ headers: { authorization: 'Basic ***' } }), status: 401, code: 'auth.invalid' },
  {
    name: 'Basic credentials that are not UTF-8',
    request: validRequest({ headers: { authorization: 'Basic ' + Buffer.from([0x74, 0xff, 0x3a, 0x61]).toString('base64') } }),
    status: 401,
    code: 'auth.invalid',
  },
  { name: 'Basic without a colon', request: validRequest({ headers: { authorization: 'Basic ' + Buffer.from(TENANT).toString('base64') } }), status: 401, code: 'auth.invalid' },
  { name: 'Basic with an empty tenant', request: validRequest({ headers: { authorization: basicAuth('', TOKEN) } }), status: 401, code: 'auth.invalid' },
  { name: 'Basic with an empty token', request: validRequest({ headers: { authorization: basicAuth(TENANT, '') } }), status: 401, code: 'auth.invalid' },
  {
    name: 'an over-long Basic header',
    request: validRequest({ headers: { authorization: basicAuth(TENANT, TOKEN + 'a'.repeat(5000)) } }),
    status: 401,
    code: 'auth.invalid',
  },
  {
    name: 'two Authorization headers',
    request: {
      ...validRequest(),
      headers: [
        ['authorization', basicAuth(TENANT, TOKEN)],
        ['authorization', basicAuth(TENANT, TOKEN)],
        ['content-type', 'application/json'],
      ],
    },
    status: 400,
    code: 'auth.duplicate',
  },
  {
    name: 'a wrong bearer token',
    request: validRequest({ headers: { authorization: 'Bearer not_a_token' } }),
    status: 401,
    code: 'auth.invalid',
    check: (reply) => expect(challengeOf(reply)).toContain('Bearer realm="webhook", error="invalid_token"'),
  },
  {
    name: 'Bearer with no token',
    request: validRequest({ headers: { authorization: 'Bearer' } }),
    status: 400,
    code: 'auth.malformed',
    check: (reply) => expect(challengeOf(reply)).toContain('Bearer realm="webhook", error="invalid_request"'),
  },
  { name: 'a bearer token with a space', request: validRequest({ headers: { authorization: `Bearer ${TOKEN} x` } }), status: 400, code: 'auth.malformed' },
  { name: 'an unknown scheme', request: validRequest({ headers: { authorization: `Token ${TOKEN}` } }), status: 401, code: 'auth.missing' },
  // Method
  ...['GET', 'PUT', 'PATCH', 'DELETE'].map(
    (method): Row => ({
      name: `${method} instead of POST`,
      request: validRequest({ method, body: method === 'GET' ? undefined : REFERENCE_PAYLOAD }),
      status: 405,
      code: 'method.not_allowed',
      check: (reply) => expect(reply.headers.allow).toBe('POST'),
    }),
  ),
  // Media type
  { name: 'no Content-Type', request: without('content-type'), status: 415, code: 'media.unsupported' },
  { name: 'Content-Type text/plain', request: validRequest({ headers: { 'content-type': 'text/plain' } }), status: 415, code: 'media.unsupported' },
  { name: 'a form body', request: validRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded' } }), status: 415, code: 'media.unsupported' },
  { name: 'an unparseable Content-Type', request: validRequest({ headers: { 'content-type': 'application/json;;' } }), status: 415, code: 'media.unsupported' },
  {
    name: 'a charset other than UTF-8',
    request: validRequest({ headers: { 'content-type': 'application/json; charset=iso-8859-1' } }),
    status: 415,
    code: 'media.unsupported',
  },
  ...['gzip', 'br', 'identity', ''].map(
    (encoding): Row => ({
      name: `Content-Encoding "${encoding}"`,
      request: validRequest({ headers: { 'content-encoding': encoding } }),
      status: 415,
      code: 'media.encoding',
    }),
  ),
  // Size
  {
    name: 'a body over 1 MiB by Content-Length',
    request: validRequest({ body: chunk(MIB) }),
    status: 413,
    code: 'payload.too_large',
  },
  { name: 'a chunked body over 1 MiB', request: validRequest({ body: chunk(MIB), chunked: true }), status: 413, code: 'payload.too_large' },
  // Body
  { name: 'an empty body', request: validRequest({ body: '' }), status: 400, code: 'payload.empty' },
  { name: 'a body of whitespace', request: validRequest({ body: ' \n' }), status: 400, code: 'payload.empty' },
  { name: 'malformed JSON', request: validRequest({ body: '{"event":' }), status: 400, code: 'payload.malformed' },
  {
    name: 'invalid UTF-8',
    request: validRequest({ body: Buffer.concat([Buffer.from('{"event":"a","data":{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]) }),
    status: 400,
    code: 'payload.invalid_utf8',
  },
  { name: 'nesting 65 levels deep', request: validRequest({ body: nested(65) }), status: 400, code: 'payload.too_deep' },
  { name: 'a __proto__ key', request: validRequest({ body: '{"event":"a","data":{"x":[{"__proto__":{"admin":true}}]}}' }), status: 400, code: 'payload.forbidden_key' },
  {
    name: 'an escaped __proto__ key',
    request: validRequest({ body: '{"event":"a","data":{"\\u005f_proto__":{"admin":true}}}' }),
    status: 400,
    code: 'payload.forbidden_key',
  },
  {
    name: 'a constructor key holding prototype',
    request: validRequest({ body: '{"event":"a","data":{"constructor":{"prototype":{"admin":true}}}}' }),
    status: 400,
    code: 'payload.forbidden_key',
  },
  // Envelope
  ...[
    ['an array', '[1,2]', ''],
    ['a scalar', '42', ''],
    ['null', 'null', ''],
    ['a missing event', '{"data":{}}', '/event'],
    ['an empty event', '{"event":"","data":{}}', '/event'],
    ['a numeric event', '{"event":7,"data":{}}', '/event'],
    ['a missing data', '{"event":"a"}', '/data'],
    ['an array data', '{"event":"a","data":[]}', '/data'],
  ].map(
    ([what, body, pointer]): Row => ({
      name: `JSON with ${what}`,
      request: validRequest({ body }),
      status: 422,
      code: 'payload.envelope',
      check: (reply) => expect(reply.json<{ errors: Array<{ pointer: string }> }>().errors.map((e) => e.pointer)).toContain(pointer),
    }),
  ),
]

/** Requests every configuration accepts, with what the handler must see. */
const accepted: Array<{ name: string; request: SendOptions; tenant?: string; scheme?: string; fixturesOnly?: boolean }> = [
  { name: 'the reference Basic request', request: validRequest() },
  { name: 'the reference Bearer request', request: validRequest({ headers: { authorization: `Bearer ${TOKEN}` } }), scheme: 'bearer' },
  ...['basic', 'BASIC', 'BaSiC'].map((scheme) => ({
    name: `scheme name "${scheme}"`,
    request: validRequest({ headers: { authorization: basicAuth(TENANT, TOKEN).replace('Basic', scheme) } }),
  })),
  { name: 'bearer in lower case', request: validRequest({ headers: { authorization: `bearer ${TOKEN}` } }), scheme: 'bearer' },
  { name: 'the second token of a rotation', request: validRequest({ headers: { authorization: basicAuth(TENANT, NEXT_TOKEN) } }), fixturesOnly: true },
  {
    name: 'a UTF-8 tenant whose password holds colons',
    request: validRequest({ headers: { authorization: basicAuth('tenänt-ü', 'pässwörd:with:colons') } }),
    tenant: 'tenänt-ü',
    fixturesOnly: true,
  },
  { name: 'Content-Type with charset=UTF-8', request: validRequest({ headers: { 'content-type': 'Application/JSON; Charset="UTF-8"' } }) },
  { name: 'a +json Content-Type', request: validRequest({ headers: { 'content-type': 'application/cloudevents+json' } }) },
  { name: 'a chunked body', request: validRequest({ chunked: true }) },
  { name: 'nesting 64 levels deep', request: validRequest({ body: nested(64) }) },
  { name: 'a body of exactly 1 MiB', request: validRequest({ body: chunk(MIB - chunk(0).length) }) },
]

/** A running webhook seen from outside: where it listens and how many events it handled. */
export interface Target {
  url: string
  handled(): number | Promise<number>
  close(): Promise<void>
}

/**
 * The status table, row by row, over real HTTP. Works on
 * anything that listens, including a separate example process; with
 * `fixtures: false` it sends only requests the demo credentials accept.
 */
export function describeStatusTable(name: string, setup: () => Promise<Target>, { fixtures = true } = {}): void {
  describe(`${name}: webhook status table`, () => {
    let target: Target
    beforeAll(async () => {
      target = await setup()
    })
    afterAll(() => target.close())

    it.each(rows)('answers $status to $name, without running the handler', async ({ request, status, code, check }) => {
      const before = await target.handled()
      const reply = await send(target.url, request)
      expect(reply.status).toBe(status)
      if (code !== undefined) expectProblem(reply, code)
      check?.(reply)
      expectNoSecret(reply)
      expect(await target.handled()).toBe(before)
    })

    it.each(accepted.filter((row) => fixtures || row.fixturesOnly !== true))(
      'accepts $name with 202 and runs the handler once',
      async ({ request }) => {
        const before = await target.handled()
        const reply = await send(target.url, request)
        expect(reply.status).toBe(202)
        expect(reply.headers['content-type']).toMatch(/^application\/json/)
        expect(reply.json()).toEqual({ accepted: true, id: expect.any(String) as string })
        await vi.waitFor(async () => expect(await target.handled()).toBe(before + 1))
      },
    )

    it('answers an unknown tenant and a wrong token identically', async () => {
      const unknown = await send(target.url, validRequest({ headers: { authorization: basicAuth('nobody', TOKEN) } }))
      const wrong = await send(target.url, validRequest({ headers: { authorization: basicAuth(TENANT, 'wrong') } }))
      expect(unknown.text).toBe(wrong.text)
      expect(challengeOf(unknown)).toEqual(challengeOf(wrong))
    })

    it('challenges once per accepted scheme when credentials are missing', async () => {
      const reply = await send(target.url, without('authorization'))
      expect(challengeOf(reply)).toEqual(['Basic realm="webhook", charset="UTF-8"', 'Bearer realm="webhook"'])
    })

    it('keeps the connection usable after refusing a body it did not read', async () => {
      const refused = await send(target.url, without('authorization', validRequest({ body: chunk(64 * 1024) })))
      expect(refused.status).toBe(401)
      expect((await send(target.url, validRequest())).status).toBe(202)
    })
  })
}

/**
 * Everything a framework harness must do: the status table, then what the
 * handler sees, several schemes, options, and next-middleware mode.
 */
export function describeConformance(name: string, start: Start): void {
  describeStatusTable(name, async () => {
    const app = await start(scenario('default'))
    return { url: app.url, handled: async () => (await seen(app)).length, close: () => app.close() }
  })

  describe(`${name}: the verified webhook`, () => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('default'))
    })
    afterAll(() => app.close())

    it.each(accepted)('names tenant and scheme for $name, never the token', async ({ request, tenant = TENANT, scheme = 'basic' }) => {
      const reply = await send(app.url, request)
      const hook = (await seen(app)).at(-1)!
      expect(hook).toMatchObject({ tenant, scheme, id: reply.json().id })
      expect(hook.receivedAt).toBeInstanceOf(Date)
      expect(JSON.stringify(hook)).not.toContain(TOKEN)
    })

    it('hands the handler the reference event, its data and the raw bytes', async () => {
      await send(app.url, validRequest())
      const hook = (await seen(app)).at(-1)!
      expect(hook.event).toBe('customer_update')
      expect(hook.data).toEqual({ id: '1234', status: 'active' })
      expect(hook.rawBody?.toString()).toBe(REFERENCE_PAYLOAD)
    })

    it('uses the caller\'s webhook-id as the id', async () => {
      const reply = await send(app.url, validRequest({ headers: { 'webhook-id': 'msg_2Lh9' } }))
      expect(reply.json()).toEqual({ accepted: true, id: 'msg_2Lh9' })
    })
  })

  describe(`${name}: many requests on one keep-alive connection`, () => {
    // Credentials accepted on a connection are remembered for its next
    // requests (tenants() credentials only); every change must be verified again.
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('api key'))
    })
    afterAll(() => app.close())

    it('verifies each new credential again: a wrong one after a right one is refused, and the tenant and scheme follow the request', async () => {
      const { agent, opened } = oneConnection()
      const sameLengthWrong = TOKEN.slice(0, -1) + (TOKEN.endsWith('x') ? 'y' : 'x')
      const steps: Array<[SendOptions, number, string?, string?]> = [
        [validRequest(), 202, TENANT, 'basic'],
        [validRequest({ headers: { authorization: basicAuth(TENANT, 'wrong-token') } }), 401],
        [validRequest(), 202, TENANT, 'basic'],
        [validRequest({ headers: { authorization: basicAuth(TENANT, sameLengthWrong) } }), 401],
        [validRequest({ headers: { authorization: basicAuth('tenänt-ü', 'pässwörd:with:colons') } }), 202, 'tenänt-ü', 'basic'],
        [validRequest({ headers: { 'x-api-key': 'wrong-key' } }), 401],
        // Both schemes, naming different tenants.
        [validRequest({ headers: { 'x-api-key': API_KEY } }), 401],
        [without('authorization', validRequest({ headers: { 'x-api-key': API_KEY } })), 202, 'crm', 'header'],
        [without('authorization'), 401],
        [validRequest({ headers: { authorization: basicAuth(TENANT, NEXT_TOKEN) } }), 202, TENANT, 'basic'],
      ]
      try {
        for (const [request, status, tenant, scheme] of steps) {
          const reply = await send(app.url, { ...request, agent })
          expect(reply.status).toBe(status)
          if (tenant !== undefined) expect((await seen(app)).at(-1)).toMatchObject({ tenant, scheme, id: reply.json().id })
        }
        // Otherwise the memo was never exercised.
        expect(opened()).toBe(1)
      } finally {
        agent.destroy()
      }
    })

    it('refuses a second Authorization header even after the same credentials were accepted', async () => {
      const { agent, opened } = oneConnection()
      const { authorization } = validRequest().headers as Record<string, string>
      try {
        expect((await send(app.url, { ...validRequest(), agent })).status).toBe(202)
        const twice: Array<[string, string]> = [
          ['authorization', authorization!],
          ['authorization', authorization!],
          ['content-type', 'application/json'],
        ]
        const reply = await send(app.url, { ...validRequest(), headers: twice, agent })
        expect(reply.json()).toMatchObject({ code: 'auth.duplicate' })
        expect(opened()).toBe(1)
      } finally {
        agent.destroy()
      }
    })
  })

  describe(`${name}: several schemes on one route`, () => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('api key'))
    })
    afterAll(() => app.close())

    it('accepts the API key header alone', async () => {
      const reply = await send(app.url, without('authorization', validRequest({ headers: { 'x-api-key': API_KEY } })))
      expect(reply.status).toBe(202)
      expect((await seen(app)).at(-1)).toMatchObject({ tenant: 'crm', scheme: 'header' })
    })

    it('does not let a valid API key rescue a wrong Basic password', async () => {
      const before = (await seen(app)).length
      const reply = await send(app.url, validRequest({ headers: { authorization: basicAuth(TENANT, 'wrong'), 'x-api-key': API_KEY } }))
      expect(reply.status).toBe(401)
      expectProblem(reply, 'auth.invalid')
      expect(await seen(app)).toHaveLength(before)
    })

    it('refuses a wrong API key even next to valid Basic credentials', async () => {
      const reply = await send(app.url, validRequest({ headers: { 'x-api-key': 'wrong' } }))
      expect(reply.status).toBe(401)
    })

    it('lists both challenges', async () => {
      const reply = await send(app.url, without('authorization'))
      expect(challengeOf(reply)).toEqual(['Basic realm="webhook", charset="UTF-8"', 'ApiKey realm="webhook", header="X-Api-Key"'])
    })
  })

  describe(`${name}: options`, () => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('limit, depth and schemas'))
    })
    afterAll(() => app.close())

    it('applies a configured limit', async () => {
      const reply = await send(app.url, validRequest({ body: chunk(100) }))
      expect(reply.status).toBe(413)
      expect((await send(app.url, validRequest({ body: chunk(100), chunked: true }))).status).toBe(413)
    })

    it('applies a configured depth', async () => {
      expect((await send(app.url, validRequest({ body: nested(3) }))).status).toBe(202)
      expect((await send(app.url, validRequest({ body: nested(4) }))).status).toBe(400)
    })

    it('answers 422 with the schema issues when data fails its event schema', async () => {
      const before = (await seen(app)).length
      const reply = await send(app.url, validRequest({ body: '{"event":"customer_update","data":{"id":1234,"status":"gone"}}' }))
      expect(reply.status).toBe(422)
      expectProblem(reply, 'payload.schema')
      const pointers = reply.json<{ errors: Array<{ pointer: string }> }>().errors.map((e) => e.pointer)
      expect(pointers).toEqual(expect.arrayContaining(['/data/id', '/data/status']))
      expect(await seen(app)).toHaveLength(before)
    })

    it('passes data through the schema and lets events without one through', async () => {
      expect((await send(app.url, validRequest())).status).toBe(202)
      expect((await seen(app)).at(-1)?.data).toEqual({ id: '1234', status: 'active' })
      expect((await send(app.url, validRequest({ body: '{"event":"ping","data":{}}' }))).status).toBe(202)
    })
  })

  describe(`${name}: de-duplication`, () => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('dedupe'))
    })
    afterAll(() => app.close())

    it('answers a redelivery 202 without handling it again, and the same id with another body 409', async () => {
      const before = (await seen(app)).length
      const first = await send(app.url, validRequest({ headers: { 'idempotency-key': 'evt-dup-1' } }))
      const again = await send(app.url, validRequest({ headers: { 'idempotency-key': 'evt-dup-1' } }))
      expect([first.status, again.status]).toEqual([202, 202])
      expect(again.json()).toEqual({ accepted: true, id: 'evt-dup-1', replay: true })
      expect(await seen(app)).toHaveLength(before + 1)
      const other = await send(app.url, validRequest({ headers: { 'idempotency-key': 'evt-dup-1' }, body: '{"event":"customer_update","data":{}}' }))
      expect(other.status).toBe(409)
      expect(other.json()).toMatchObject({ code: 'payload.conflict' })
    })

    it('handles requests without an id every time', async () => {
      const before = (await seen(app)).length
      await send(app.url, validRequest())
      await send(app.url, validRequest())
      expect(await seen(app)).toHaveLength(before + 2)
    })

    it('fails closed with 503 log.unavailable, running no handler, when the delivery log cannot answer', async () => {
      const broken = await start(scenario('dedupe, log unreachable'))
      const reply = await send(broken.url, validRequest({ headers: { 'idempotency-key': 'evt-log-down' } }))
      const handled = (await seen(broken)).length
      await broken.close()
      expect(reply.status).toBe(503)
      expect(reply.headers['content-type']).toBe('application/problem+json')
      expect(reply.headers['retry-after']).toBe('5')
      expect(reply.json()).toMatchObject({ code: 'log.unavailable', status: 503 })
      expect(reply.text).not.toContain('10.0.0.7')
      expect(handled).toBe(0)
    })

    it('keys on a JSON Pointer into the body when configured', async () => {
      const byBody = await start(scenario('dedupe by a body pointer'))
      const body = '{"event":"customer_update","data":{"id":"order-9"}}'
      expect((await send(byBody.url, validRequest({ body }))).status).toBe(202)
      expect((await send(byBody.url, validRequest({ body }))).json()).toMatchObject({ id: 'order-9', replay: true })
      expect(await seen(byBody)).toHaveLength(1)
      await byBody.close()
    })
  })

  describe(`${name}: next-middleware mode`, () => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('default', { mount: 'next' }))
    })
    afterAll(() => app.close())

    it('hands the verified webhook to the next middleware', async () => {
      const reply = await send(app.url, validRequest())
      expect(reply.status).toBe(200)
      expect(reply.json()).toMatchObject({ tenant: TENANT, event: 'customer_update', data: { id: '1234', status: 'active' } })
    })

    it('never reaches the next middleware for a rejected request', async () => {
      const before = (await seen(app)).length
      expect((await send(app.url, without('authorization'))).status).toBe(401)
      expect(await seen(app)).toHaveLength(before)
    })
  })
}

/**
 * The same webhook behind a body parser the app mounted first: the parsed
 * value (or the raw bytes it kept) must still be checked.
 */
export function describeBehindParser(name: string, start: Start): void {
  describe.each(['json', 'json-raw'] as const)(`${name}: behind a %s body parser`, (parser) => {
    let app: Running
    beforeAll(async () => {
      app = await start(scenario('default', { parser }))
    })
    afterAll(() => app.close())

    it('accepts the reference request', async () => {
      expect((await send(app.url, validRequest())).status).toBe(202)
      expect((await seen(app)).at(-1)?.data).toEqual({ id: '1234', status: 'active' })
      // A parser that keeps the bytes must hand over exactly those; one that does not leaves rawBody undefined.
      const raw = (await seen(app)).at(-1)?.rawBody?.toString()
      if (parser === 'json-raw' || raw !== undefined) expect(raw).toBe(REFERENCE_PAYLOAD)
    })

    it.each([
      ['a __proto__ key', '{"event":"a","data":{"__proto__":{"x":1}}}', 400],
      ['a missing event', '{"data":{}}', 422],
      ['nesting 65 levels deep', nested(65), 400],
    ])('still refuses %s', async (_, body, status) => {
      const before = (await seen(app)).length
      expect((await send(app.url, validRequest({ body }))).status).toBe(status)
      expect(await seen(app)).toHaveLength(before)
    })

    it('still refuses missing credentials and non-JSON bodies', async () => {
      expect((await send(app.url, without('authorization'))).status).toBe(401)
      expect((await send(app.url, validRequest({ headers: { 'content-type': 'text/plain' }, body: 'hello' }))).status).toBe(415)
    })
  })
}
