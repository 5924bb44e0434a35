import { type AdminOptions as CoreAdminOptions, createAdminHandler } from '@webhook-trigger/core'
import type { Context, Middleware, Next } from 'koa'
import { respond } from './respond.js'

export interface AdminOptions extends CoreAdminOptions {
  /**
   * Path the routes live under: Koa has no mounting, so the router answers
   * only below it and hands the admin handler the path relative to it.
   * @default ""
   */
  prefix?: string
}

/** The normalised path and query of a request target; a target starting with `//` is a path, never a host. */
function pathOf(target: string): { pathname: string; search: string } | undefined {
  try {
    return new URL(target.startsWith('/') ? `http://koa.invalid${target}` : target)
  } catch {
    return undefined
  }
}

/** `url` relative to `base` (its path normalised first), or `undefined` when it lies outside. */
function below(url: string, base: string): string | undefined {
  if (base === '') return url
  const target = pathOf(url)
  if (target === undefined) return undefined
  const { pathname, search } = target
  if (pathname === base) return '/' + search
  return pathname.startsWith(base + '/') ? pathname.slice(base.length) + search : undefined
}

/**
 * The admin API over an outbox (events pending, dead and delivered with their
 * attempts, redeliver, purge, metrics) behind its own credentials, and the
 * delivery console at `prefix` + `/`; see docs/console.md.
 *
 * @example
 * app.use(adminRouter({ prefix: '/admin', outbox, auth: bearer({ token: process.env.ADMIN_TOKEN }), metrics }))
 */
export function adminRouter(options: AdminOptions): Middleware {
  const { prefix = '', ...adminOptions } = options ?? {}
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.startsWith('/'))) {
    throw new TypeError('adminRouter(): "prefix" must be a path starting with "/", e.g. prefix: "/admin"')
  }
  // Normalised like the paths it is compared with: /ädmin matches /%C3%A4dmin.
  const base = (pathOf(prefix)?.pathname ?? prefix).replace(/\/+$/, '')
  const admin = createAdminHandler(adminOptions, 'adminRouter()')
  return async function adminMiddleware(ctx: Context, next: Next): Promise<void> {
    const url = below(ctx.url, base)
    const response = url === undefined ? undefined : await admin.handle({ method: ctx.method, url, headers: ctx.headers, rawHeaders: ctx.req.rawHeaders })
    if (response === undefined) await next()
    else respond(ctx, response)
  }
}
