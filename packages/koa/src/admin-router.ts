import { type AdminOptions, createAdminHandler } from '@webhook-trigger/core'
import type { Context, Middleware, Next } from 'koa'
import { respond } from './respond.js'

/**
 * The admin API over an outbox (events pending, dead and delivered with their
 * attempts, redeliver, purge, metrics) behind its own credentials, and the
 * delivery console at `prefix` + `/`; see docs/console.md.
 *
 * @example
 * app.use(adminRouter({ prefix: '/admin', outbox, auth: bearer({ token: process.env.ADMIN_TOKEN }), metrics }))
 */
export function adminRouter(options: AdminOptions): Middleware {
  const admin = createAdminHandler(options, 'adminRouter()')
  return async function adminMiddleware(ctx: Context, next: Next): Promise<void> {
    const response = await admin.handle({ method: ctx.method, url: ctx.url, headers: ctx.headers, rawHeaders: ctx.req.rawHeaders })
    if (response === undefined) await next()
    else respond(ctx, response)
  }
}
