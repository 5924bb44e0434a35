import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type EventData,
  type EventSchemas,
  type VerifiedWebhook,
  type WebhookOptions,
  createDispatch,
  createWebhookVerifier,
  nodeRequest,
  settleOnFinish,
  writeResponse,
} from '@webhook-trigger/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { routeContinues } from './route-continues.js'

declare global {
  // Declaration merging is how Express types request extensions.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `webhook()` once the request passed every check. */
      webhook?: VerifiedWebhook
    }
  }
}

/** Handles one verified event. Answer with `res` yourself, or return and we answer 202. */
export type ExpressWebhookHandler<Data = Record<string, unknown>, Event extends string = string> = (
  webhook: VerifiedWebhook<Data, Event>,
  req: Request,
  res: Response,
) => unknown

export interface ExpressWebhookOptions<S extends EventSchemas = EventSchemas> extends WebhookOptions<S> {
  /**
   * A handler per event, typed by `schemas`. An event without one goes to
   * `handler`, else to the next middleware with `req.webhook` set.
   * @default {}
   */
  on?: NoInfer<{ [E in keyof S & string]?: ExpressWebhookHandler<EventData<S, E>, E> }>
  /**
   * Handles every event that has no `on` entry.
   * @default undefined: call next()
   */
  handler?: ExpressWebhookHandler
}

type NodeRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; webhook?: VerifiedWebhook; route?: unknown }

/**
 * Express middleware for an inbound webhook. Rejected requests are answered
 * here with `application/problem+json`; a verified one sets `req.webhook`
 * and runs its handler (202 unless the handler answers), or calls `next()`
 * when a handler follows it in the route (or it was mounted with `app.use`),
 * or else answers 202 itself.
 *
 * @example
 * app.all('/webhook', webhook({
 *   auth: basic(tenants({ tenant123: 'api_token_abc123' })),
 *   handler: (hook) => console.log(hook.tenant, hook.event),
 * }))
 */
export function webhook<const S extends EventSchemas = Record<string, null>>(options: ExpressWebhookOptions<S>): RequestHandler {
  const verifier = createWebhookVerifier(options, 'webhook()')
  const dispatch = createDispatch<[Request, Response]>(options.on, options.handler, 'webhook()')

  function webhookMiddleware(req: NodeRequest, res: ServerResponse, next: NextFunction): void {
    if (!verifier.handles(req.url)) return next()
    // The callback form: when no step waits and the handler is synchronous, the answer goes out inside the body's `end` event.
    verifier.verify(nodeRequest(req, req.body, req.rawBody), (error, result) => {
      if (error !== null) return next(error)
      if (!result.ok) return writeResponse(res, result.response)
      settleOnFinish(res, result)
      req.webhook = result.webhook
      void dispatch(result.webhook, [req as Request, res as Response], {
        answered: () => res.headersSent,
        answer: (response) => writeResponse(res, response),
        follows: () => routeContinues(req, webhookMiddleware),
        next: () => next(),
        fail: next,
      })
    })
  }
  return webhookMiddleware
}
