import { type ForwardHandler, type ForwardOptions, type WebhookOptions, createForwardHandler } from '@webhook-trigger/core'
import { requestOf, responseOf } from './exchange.js'
import { verifyWebhook } from './webhook.js'

export interface FetchForwardOptions extends ForwardOptions {
  /**
   * Verify each request with these webhook options before forwarding it: the
   * verified bytes are sent and the inbound credentials stripped.
   * @default undefined: forward without verifying
   */
  webhook?: WebhookOptions
}

/** The Fetch handler, plus the handle to shut its deliveries down. */
export type ForwardFetchHandler = ((request: Request, host?: unknown) => Promise<Response>) & Pick<ForwardHandler, 'close' | 'deliverer'>

/**
 * A Fetch handler that forwards webhooks to one configured upstream,
 * attaching credentials: a relay answering with the upstream's answer, or,
 * with an `outbox`, an intermediary answering 202 and delivering in the
 * background. Sends with undici, so it runs on Node hosts (Hono's node-server,
 * Next.js on Node).
 *
 * @example
 * export const POST = forward({
 *   to: 'http://127.0.0.1:3000/webhook',
 *   auth: basic({ tenant: 'tenant123', token: 'api_token_abc123' }),
 *   webhook: { auth: basic(tenants({ tenant123: 'api_token_abc123' })) },
 * })
 */
export function forward(options: FetchForwardOptions): ForwardFetchHandler {
  const { webhook: verifying, ...rest } = options ?? {}
  const handler = createForwardHandler(rest, 'forward()')
  const verify = verifying === undefined ? undefined : verifyWebhook(verifying)

  async function forwardHandler(request: Request, host?: unknown): Promise<Response> {
    const verified = await verify?.(request, host)
    if (verified instanceof Response) return verified
    return responseOf(await handler.handle(requestOf(request, host, verified)))
  }
  return Object.assign(forwardHandler, { close: () => handler.close(), deliverer: handler.deliverer })
}
