import { type VerifiedWebhook, type WebhookResponse, nodeRequest } from '@webhook-trigger/core'
import type { Context } from 'koa'

/** Writes a core answer through Koa, so other middleware still sees it. */
export function respond(ctx: Context, { status, headers, body }: WebhookResponse): void {
  ctx.status = status
  ctx.set(headers)
  // Set after Content-Type, so Koa keeps ours instead of guessing text/plain.
  ctx.body = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

/** Core's view of the request; a Koa body parser leaves what it read on ctx.request. */
export function requestOf(ctx: Context, webhook?: VerifiedWebhook) {
  const { body, rawBody } = ctx.request as { body?: unknown; rawBody?: unknown }
  return nodeRequest(ctx.req, body, rawBody, webhook)
}

