import type { WebhookResponse } from '@webhook-trigger/core'
import type { Context } from 'koa'

/** Writes a core answer through Koa, so other middleware still sees it. */
export function respond(ctx: Context, { status, headers, body }: WebhookResponse): void {
  ctx.status = status
  ctx.set(headers)
  // Set after Content-Type, so Koa keeps ours instead of guessing text/plain.
  ctx.body = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}
