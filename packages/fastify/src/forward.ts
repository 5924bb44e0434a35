import type { Readable } from 'node:stream'
import { type ForwardHandler, type ForwardOptions, createForwardHandler } from '@webhook-trigger/core'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import { requestOf, respond } from './respond.js'
import { type FastifyWebhookOptions, verifyWebhook } from './webhook.js'

export interface FastifyForwardOptions extends ForwardOptions {
  /**
   * Verify each request with these options before forwarding it (what
   * `webhook()` mounted before `forward()` does in Express and Koa): the
   * verified bytes are sent and the inbound credentials stripped.
   * @default undefined: forward without verifying
   */
  webhook?: Omit<FastifyWebhookOptions, 'on' | 'handler' | 'path'>
}

/** Keeps the unread stream as the body, for the forward handler to read within its limit. */
function keepStream(_request: FastifyRequest, payload: Readable, done: (error: Error | null, body?: unknown) => void): void {
  done(null, payload)
}

/** The plugin, plus the handle to shut its deliveries down (`app.close()` does too). */
export type ForwardPlugin = FastifyPluginCallback & Pick<ForwardHandler, 'close' | 'deliverer'>

/**
 * A Fastify plugin that forwards webhooks to one configured upstream,
 * attaching credentials: a relay answering with the upstream's answer, or,
 * with an `outbox`, an intermediary answering 202 and delivering in the
 * background. With `webhook` options it verifies first. Its route lives in
 * its own encapsulated context, so the bytes are sent exactly as received.
 *
 * @example
 * await app.register(forward({
 *   path: '/webhook',
 *   to: 'http://127.0.0.1:3000/webhook',
 *   auth: basic({ tenant: 'tenant123', token: 'api_token_abc123' }),
 *   webhook: { auth: basic(tenants({ tenant123: 'api_token_abc123' })) },
 * }))
 */
export function forward(options: FastifyForwardOptions): ForwardPlugin {
  const { webhook: verifying, ...rest } = options ?? {}
  const handler = createForwardHandler(rest, 'forward()')
  const preParsing = verifying === undefined ? [] : [verifyWebhook(verifying)]

  const plugin: FastifyPluginCallback = function forwardPlugin(instance, _registered, done) {
    instance.addHook('onClose', () => handler.close())
    instance.removeAllContentTypeParsers()
    instance.addContentTypeParser('*', keepStream)
    instance.all(options.path ?? '*', { preParsing }, async function forwardWebhook(request, reply) {
      const body = (request.body as Readable | undefined) ?? request.raw
      return respond(reply, await handler.handle(forwardRequest(request, body)))
    })
    done()
  }
  return Object.assign(plugin, { close: () => handler.close(), deliverer: handler.deliverer })
}

function forwardRequest(request: FastifyRequest, body: Readable) {
  const core = requestOf(request, body, request.webhook)
  const { socket } = request.raw
  return { ...core, remoteAddress: socket.remoteAddress, encrypted: (socket as { encrypted?: boolean }).encrypted === true }
}
