import {
  type EventData,
  type EventSchemas,
  type VerifiedWebhook,
  type WebhookOptions,
  createDispatch,
  createWebhookVerifier,
  settleOnFinish,
} from '@webhook-trigger/core'
import type { Context, Middleware, Next, ParameterizedContext } from 'koa'
import { requestOf, respond } from './respond.js'

declare module 'koa' {
  interface DefaultState {
    /** Set by `webhook()` once the request passed every check. */
    webhook?: VerifiedWebhook
  }
}

/**
 * What `webhook()` adds to `ctx.state` for the middleware after it:
 * `ctx.state.webhook` is set whenever they run.
 */
export interface WebhookState {
  webhook: VerifiedWebhook
}

/** Handles one verified event. Set `ctx.body`/`ctx.status` yourself, or return and we answer 202. */
export type KoaWebhookHandler<Data = Record<string, unknown>, Event extends string = string> = (
  webhook: VerifiedWebhook<Data, Event>,
  ctx: Context,
) => unknown

export interface KoaWebhookOptions<S extends EventSchemas = EventSchemas> extends WebhookOptions<S> {
  /**
   * A handler per event, typed by `schemas`. An event without one goes to
   * `handler`, else to the next middleware with `ctx.state.webhook` set.
   * @default {}
   */
  on?: NoInfer<{ [E in keyof S & string]?: KoaWebhookHandler<EventData<S, E>, E> }>
  /**
   * Handles every event that has no `on` entry.
   * @default undefined: await next()
   */
  handler?: KoaWebhookHandler
}

/**
 * Koa middleware for an inbound webhook. Rejected requests are answered here
 * with `application/problem+json`; a verified one sets `ctx.state.webhook`
 * and runs its handler, or `await next()`. If nothing downstream answered,
 * it answers 202.
 *
 * @example
 * app.use(webhook({
 *   path: '/webhook',
 *   auth: basic(tenants({ tenant123: 'api_token_abc123' })),
 *   handler: (hook) => console.log(hook.tenant, hook.event),
 * }))
 */
export function webhook<const S extends EventSchemas = Record<string, null>>(options: KoaWebhookOptions<S>): Middleware<WebhookState> {
  const verifier = createWebhookVerifier(options, 'webhook()')
  const dispatch = createDispatch<[Context]>(options.on, options.handler, 'webhook()')

  return async function webhookMiddleware(ctx: ParameterizedContext<WebhookState>, next: Next): Promise<void> {
    if (!verifier.handles(ctx.url)) {
      await next()
      return
    }
    const result = await verifier.verify(requestOf(ctx))
    if (!result.ok) return respond(ctx, result.response)
    settleOnFinish(ctx.res, result)
    ctx.state.webhook = result.webhook
    const dispatched = dispatch(result.webhook, [ctx], {
      // Koa's untouched response is 404 with no body: nobody answered.
      answered: () => ctx.body != null || ctx.status !== 404,
      answer: (response) => respond(ctx, response),
      next,
    })
    // Awaited only when something returned a promise: awaiting nothing costs a microtask per request.
    if (dispatched !== undefined) await dispatched
  }
}
