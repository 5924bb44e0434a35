import { randomBytes, randomUUID } from 'node:crypto'
import {
  type AdminOptions,
  type ForwardOptions,
  type Logger,
  type WebhookOptions,
  basic,
  bearer,
  header,
  memoryOutbox,
  standardWebhooks,
  standardWebhooksSigner,
  tenants,
} from '@webhook-trigger/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { send } from './http-client.js'
import { captureLog } from './log-capture.js'
import { signStandard } from './signature-schemes.js'
import { startUpstream, type Upstream } from './upstream.js'

/** One webhook path, answered 202 by its handler, or passed on to `forward` on the same path. */
export interface CanaryRoute {
  path: string
  verify: WebhookOptions
  forward?: ForwardOptions
}

/** Builds the app on one framework: each route's webhook() (with `path`), then its forward(), and the admin router at /admin. */
export type StartCanaryApp = (routes: CanaryRoute[], admin: AdminOptions) => Promise<{ url: string; close(): Promise<void> }>

/** Unique values that must never reach a log line: credentials, secrets, a body. */
function canaries() {
  const id = randomUUID().replaceAll('-', '')
  return {
    token: `tok_canary_${id}`,
    wrongToken: `wrong_canary_${id}`,
    apiKey: `key_canary_${id}`,
    adminToken: `admin_canary_${id}`,
    outboundToken: `outbound_canary_${id}`,
    inboundSecret: `whsec_${randomBytes(24).toString('base64')}`,
    signingSecret: `whsec_${randomBytes(24).toString('base64')}`,
    body: `body_canary_${id}`,
  }
}

/**
 * Sends unique credentials, secrets and a body through every path (accept,
 * refuse, signature, relay, queued delivery failing until dead, redeliver,
 * admin), with a capturing pino logger and with the default stderr logger,
 * and greps all the output for them.
 */
export function describeLogCanary(name: string, start: StartCanaryApp): void {
  describe(`${name}: no credential, secret or body in any log line`, () => {
    const closing: Array<() => Promise<void>> = []
    afterEach(async () => {
      for (const close of closing.splice(0).reverse()) await close()
      vi.restoreAllMocks()
    })

    async function run(logger: Logger | undefined) {
      const c = canaries()
      const creds = tenants({ acme: c.token })
      const keyCreds = tenants({ acme: c.apiKey })
      const upstream: Upstream = await startUpstream([{ status: 202 }])
      // Fails twice (the retry, then dead), then takes the redelivered event.
      const failing: Upstream = await startUpstream([{ status: 503, body: c.body }, { status: 503 }, { status: 202 }])
      closing.push(() => upstream.close(), () => failing.close())
      const outbox = memoryOutbox()
      const withLogger = <T extends object>(options: T): T => (logger === undefined ? options : { ...options, logger })
      const handler = () => undefined
      const routes: CanaryRoute[] = [
        { path: '/webhook', verify: withLogger({ auth: [basic(creds), bearer(creds), header('X-Api-Key', keyCreds)], dedupe: true, handler }) },
        { path: '/signed', verify: withLogger({ auth: standardWebhooks({ secret: c.inboundSecret, tenant: 'acme' }), handler }) },
        {
          path: '/relay',
          verify: withLogger({ auth: bearer(creds) }),
          forward: withLogger({ to: `${upstream.url}/webhook`, auth: basic({ tenant: 'acme', token: c.outboundToken }) }),
        },
        {
          path: '/queue',
          verify: withLogger({ auth: bearer(creds) }),
          forward: withLogger({
            to: `${failing.url}/webhook`,
            auth: bearer({ token: c.outboundToken }),
            sign: standardWebhooksSigner(c.signingSecret),
            outbox,
            delivery: { pollInterval: 20, retry: { delays: [20] } },
          }),
        },
      ]
      const app = await start(routes, withLogger({ outbox, auth: bearer({ token: c.adminToken }) }))
      closing.push(() => app.close())

      const body = JSON.stringify({ event: 'customer_update', data: { note: c.body } })
      const json = { 'content-type': 'application/json' }
      const basicAuth = `Basic ${Buffer.from(`acme:${c.token}`).toString('base64')}`
      const post = (path: string, headers: Record<string, string>, payload = body) => send(app.url, { path, headers: { ...json, ...headers }, body: payload })
      expect((await post('/webhook', { authorization: basicAuth, 'idempotency-key': 'evt_canary' })).status).toBe(202)
      expect((await post('/webhook', { authorization: basicAuth, 'idempotency-key': 'evt_canary' })).status).toBe(202)
      expect((await post('/webhook', { authorization: `Bearer ${c.token}` })).status).toBe(202)
      expect((await post('/webhook', { 'x-api-key': c.apiKey })).status).toBe(202)
      expect((await post('/webhook', { authorization: `Bearer ${c.wrongToken}` })).status).toBe(401)
      expect((await post('/webhook', { authorization: `Basic ${Buffer.from(`acme:${c.wrongToken}`).toString('base64')}` })).status).toBe(401)
      expect((await post('/webhook', { authorization: `Bearer ${c.token}` }, `{"event":"x","data":"${c.body}"`)).status).toBe(400)
      const timestamp = Math.floor(Date.now() / 1000)
      const signed = { 'webhook-id': 'msg_canary', 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandard(c.inboundSecret, 'msg_canary', timestamp, body) }
      expect((await post('/signed', signed)).status).toBe(202)
      expect((await post('/signed', { ...signed, 'webhook-signature': signStandard(c.signingSecret, 'msg_canary', timestamp, body) })).status).toBe(401)
      expect((await post('/relay', { authorization: `Bearer ${c.token}` })).status).toBe(202)
      expect((await post('/queue', { authorization: `Bearer ${c.token}` })).status).toBe(202)

      await vi.waitFor(async () => expect(await outbox.list('dead')).toHaveLength(1), { timeout: 5000 })
      const [dead] = await outbox.list('dead')
      const admin = (method: string, path: string, token = c.adminToken) => send(app.url, { method, path: `/admin${path}`, headers: { authorization: `Bearer ${token}` } })
      expect((await admin('GET', '/events?state=dead', c.wrongToken)).status).toBe(401)
      expect((await admin('GET', '/events?state=dead')).status).toBe(200)
      expect((await admin('POST', `/events/${dead!.id}/redeliver`)).status).toBe(200)
      await vi.waitFor(() => expect(failing.received).toHaveLength(3), { timeout: 5000 })
      await vi.waitFor(async () => expect(await outbox.list('pending')).toEqual([]), { timeout: 5000 })
      expect((await admin('GET', '/health')).status).toBe(200)
      return c
    }

    const secretsIn = (c: ReturnType<typeof canaries>) => [
      ...Object.values(c),
      Buffer.from(`acme:${c.token}`).toString('base64'),
      Buffer.from(`acme:${c.outboundToken}`).toString('base64'),
      c.inboundSecret.slice('whsec_'.length),
      c.signingSecret.slice('whsec_'.length),
    ]

    it('through a pino logger: a line for every path, none carrying a canary', async () => {
      const log = captureLog('debug')
      const c = await run(log.logger)
      const messages = new Set(log.lines.map((line) => line.msg))
      for (const message of ['webhook accepted', 'webhook refused', 'webhook duplicate', 'event delivered', 'delivery failed, will retry', 'event dead', 'delivery attempt', 'admin action', 'admin request refused']) {
        expect(messages).toContain(message)
      }
      const text = log.text()
      for (const secret of secretsIn(c)) expect(text).not.toContain(secret)
    })

    it('through the default logger on stderr: warnings and errors, none carrying a canary', async () => {
      const written: string[] = []
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true))
      const c = await run(undefined)
      const text = written.join('')
      expect(text).toContain('event dead')
      expect(text).toContain('delivery failed, will retry')
      for (const secret of secretsIn(c)) expect(text).not.toContain(secret)
    })
  })
}
