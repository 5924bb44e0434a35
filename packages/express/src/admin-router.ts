import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AdminOptions, createAdminHandler, writeResponse } from '@webhook-trigger/core'
import type { NextFunction, RequestHandler } from 'express'

/**
 * The admin API over an outbox (events pending, dead and delivered with their
 * attempts, redeliver, purge, metrics) behind its own credentials, and the
 * delivery console at its root. Mount it under a path; see docs/console.md.
 *
 * @example
 * app.use('/admin', adminRouter({ outbox, auth: bearer({ token: process.env.ADMIN_TOKEN }), metrics }))
 */
export function adminRouter(options: AdminOptions): RequestHandler {
  const admin = createAdminHandler(options, 'adminRouter()')
  return function adminMiddleware(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    admin.handle({ method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders }).then((response) => (response === undefined ? next() : writeResponse(res, response)), next)
  }
}
