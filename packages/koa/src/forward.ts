import { type ForwardHandler, type ForwardOptions, type HealthOptions, createForwardHandler } from '@webhook-trigger/core'
import type { Context, Middleware, Next } from 'koa'
import { requestOf, respond } from './respond.js'

/** The middleware, plus the handle to shut its deliveries down. */
export type ForwardMiddleware = Middleware & Pick<ForwardHandler, 'close' | 'deliverer' | 'health'>

/**
 * Koa middleware that forwards webhooks to one configured upstream,
 * attaching credentials: a relay answering with the upstream's answer, or,
 * with an `outbox`, an intermediary answering 202 and delivering in the
 * background. After `webhook()`, it sends the verified bytes (or the
 * `transform` result) and strips the inbound credentials.
 *
 * @example
 * app.use(forward({ to: 'http://127.0.0.1:3000/webhook', auth: basic({ tenant: 'tenant123', token: 'api_token_abc123' }) }))
 */
export function forward(options: ForwardOptions): ForwardMiddleware {
  const handler = createForwardHandler(options, 'forward()')

  async function forwardMiddleware(ctx: Context, next: Next): Promise<void> {
    if (!handler.handles(ctx.url)) {
      await next()
      return
    }
    const response = await handler.handle(requestOf(ctx, ctx.state.webhook))
    respond(ctx, response)
  }

  return Object.assign(forwardMiddleware, { close: () => handler.close(), deliverer: handler.deliverer, health: (options?: HealthOptions) => handler.health(options) })
}
