import type { IncomingMessage, ServerResponse } from 'node:http'
import { type ForwardHandler, type ForwardOptions, type HealthOptions, type VerifiedWebhook, createForwardHandler, nodeRequest, writeResponse } from '@webhook-trigger/core'
import type { NextFunction, RequestHandler } from 'express'

type NodeRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; webhook?: VerifiedWebhook }

/** The middleware, plus the handle to shut its deliveries down. */
export type ForwardMiddleware = RequestHandler & Pick<ForwardHandler, 'close' | 'deliverer' | 'health'>

/**
 * Express middleware that forwards webhooks to one configured upstream,
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

  function forwardMiddleware(req: NodeRequest, res: ServerResponse, next: NextFunction): void {
    if (!handler.handles(req.url)) return next()
    handler
      .handle(nodeRequest(req, req.body, req.rawBody, req.webhook))
      .then((response) => writeResponse(res, response), next)
  }

  return Object.assign(forwardMiddleware as RequestHandler, { close: () => handler.close(), deliverer: handler.deliverer, health: (options?: HealthOptions) => handler.health(options) })
}
