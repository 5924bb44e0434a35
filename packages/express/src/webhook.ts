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

declare global {
  // Declaration merging is how Express types request extensions.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `webhook()` once the request passed every check. */
      webhook?: VerifiedWebhook
      /** Body bytes kept by `express.json({ verify: keepRawBody })`. */
      rawBody?: Buffer
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

interface RouteLayer {
  handle?: unknown
  method?: string
}

/**
 * Whether a handler after `self` in the current Express route takes this
 * request: `app.post('/webhook', webhook(), yourHandler)` passes on, a lone
 * `app.all('/webhook', webhook())` answers 202 itself. Express 4 and 5 both
 * keep a route's layers in `req.route.stack`, each with the method it takes
 * (Express 4 leaves it unset for `all`, Express 5 adds one layer per method);
 * outside a route (`app.use`) we pass on, as middleware does.
 */
function routeContinues(req: NodeRequest, self: unknown): boolean {
  const stack = (req.route as { stack?: RouteLayer[] } | undefined)?.stack
  if (!Array.isArray(stack)) return true
  // Plain loops: under app.all an Express 5 route holds 34 layers per handler, walked on every request.
  const method = req.method?.toLowerCase()
  let found = false
  for (const layer of stack) {
    if (found) {
      if (takes(layer, method)) return true
    } else {
      found = layer.handle === self && takes(layer, method)
    }
  }
  return !found
}

function takes(layer: RouteLayer, method: string | undefined): boolean {
  return layer.method === undefined || layer.method === method
}

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
      let passOn = false
      let dispatched: void | Promise<void>
      try {
        dispatched = dispatch(result.webhook, [req as Request, res as Response], {
          answered: () => res.headersSent,
          answer: (response) => writeResponse(res, response),
          follows: () => routeContinues(req, webhookMiddleware),
          next: () => void (passOn = true),
        })
      } catch (thrown) {
        return next(thrown)
      }
      // next() outside the try: an error thrown further down is Express's to handle, not ours to pass twice.
      if (passOn) next()
      else dispatched?.catch(next)
    })
  }
  return webhookMiddleware
}

/**
 * For `express.json({ verify: keepRawBody })`: keeps the body bytes on
 * `req.rawBody`, so the webhook still sees exactly what was sent when a JSON
 * parser runs first.
 *
 * @example
 * app.use(express.json({ verify: keepRawBody }))
 */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, bytes: Buffer): void {
  // Cast: other body parsers' typings declare rawBody as a string on IncomingMessage.
  ;(req as { rawBody?: unknown }).rawBody = bytes
}
