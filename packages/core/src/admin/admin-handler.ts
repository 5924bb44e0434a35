import type { IncomingHttpHeaders } from 'node:http'
import { authenticate } from '../auth/authenticate.js'
import type { AuthScheme } from '../auth/scheme.js'
import type { Outbox, OutboxMessage, OutboxState } from '../outbox/outbox.js'
import { type WebhookResponse, problem, problemResponse } from '../problem.js'
import type { Metrics } from './metrics.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'

export interface AdminOptions {
  /** The outbox to inspect and act on. */
  outbox: Outbox
  /** The admin's own credentials, e.g. `bearer({ token: process.env.ADMIN_TOKEN })`. Header schemes only. */
  auth: AuthScheme | readonly AuthScheme[]
  /** Counters to expose at `GET /metrics`. */
  metrics?: Metrics
  /**
   * Path the routes live under, for frameworks without mounting (Koa).
   * @default ""
   */
  prefix?: string
  /** Epoch-ms clock. @default Date.now */
  now?: () => number
}

export interface AdminRequest {
  method: string | undefined
  /** Path and query, relative to where the router is mounted. */
  url: string | undefined
  headers: IncomingHttpHeaders
  rawHeaders?: readonly string[]
}

export interface AdminHandler {
  /** The answer, or `undefined` when the URL is not an admin route. */
  handle(request: AdminRequest): Promise<WebhookResponse | undefined>
}

const json = (status: number, body: unknown): WebhookResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
})

/** What the admin may see of a queued event: never its body or headers. */
function summary(message: OutboxMessage) {
  const { id, target, attempts, createdAt, nextAttemptAt, lastError, lastStatus, body } = message
  return { id, target, attempts, createdAt: new Date(createdAt).toISOString(), nextAttemptAt: new Date(nextAttemptAt).toISOString(), lastError, lastStatus, bytes: body.byteLength }
}

const notFound = (detail: string) => problemResponse(problem('admin.not_found', detail))
const methodNotAllowed = (allow: string) => problemResponse(problem('method.not_allowed', `Use ${allow}.`, { headers: { allow } }))

const ADMIN_KEYS = optionKeys<AdminOptions>()('outbox', 'auth', 'metrics', 'prefix', 'now')

/**
 * A small JSON admin API over an outbox, behind its own credentials:
 *
 * - `GET /events?state=pending|dead&limit=100`: events with attempts and last error
 * - `POST /events/<id>/redeliver`: a dead event back to pending
 * - `POST /events/redeliver`: every dead event back to pending
 * - `DELETE /events?state=dead`: purge
 * - `GET /metrics`: received, delivered, retried, dead
 *
 * @example
 * app.use('/admin', adminRouter({ outbox, auth: bearer({ token: process.env.ADMIN_TOKEN }) }))
 */
export function createAdminHandler(options: AdminOptions, where = 'createAdminHandler()'): AdminHandler {
  checkOptions(where, options, ADMIN_KEYS)
  if (typeof options?.outbox?.list !== 'function') throw new TypeError(`${where}: "outbox" must be an Outbox`)
  const schemes = ([] as AuthScheme[]).concat(options.auth)
  if (schemes.length === 0 || !schemes.every((s) => typeof s?.authenticate === 'function')) {
    throw new TypeError(`${where}: "auth" must name the admin's own credentials, e.g. auth: bearer({ token: process.env.ADMIN_TOKEN })`)
  }
  const { outbox, metrics } = options
  const prefix = options.prefix ?? ''
  const now = options.now ?? Date.now

  async function route(method: string, path: string, query: URLSearchParams): Promise<WebhookResponse | undefined> {
    const state = (query.get('state') ?? 'dead') as OutboxState
    if (path === '/events') {
      if (state !== 'dead' && state !== 'pending') return problemResponse(problem('admin.bad_request', 'state must be "pending" or "dead".'))
      if (method === 'GET') {
        const limit = Math.min(Number(query.get('limit') ?? 100) || 100, 1000)
        return json(200, { state, events: (await outbox.list(state, limit)).map(summary) })
      }
      if (method === 'DELETE') return json(200, { purged: await outbox.purge(state) })
      return methodNotAllowed('GET, DELETE')
    }
    if (path === '/events/redeliver') {
      return method === 'POST' ? json(200, { redelivered: await outbox.redeliverAll(now()) }) : methodNotAllowed('POST')
    }
    const one = /^\/events\/([^/]+)\/redeliver$/.exec(path)
    if (one !== null) {
      if (method !== 'POST') return methodNotAllowed('POST')
      const id = decodeURIComponent(one[1]!)
      return (await outbox.redeliver(id, now())) ? json(200, { redelivered: 1, id }) : notFound('No dead event has this id.')
    }
    if (path === '/metrics') return method === 'GET' ? json(200, metrics?.snapshot() ?? {}) : methodNotAllowed('GET')
    return undefined
  }

  return {
    async handle(request) {
      const url = new URL(request.url ?? '/', 'http://admin.invalid')
      if (!url.pathname.startsWith(prefix)) return undefined
      const path = url.pathname.slice(prefix.length).replace(/\/$/, '') || '/'
      if (!['/events', '/events/redeliver', '/metrics'].includes(path) && !/^\/events\/[^/]+\/redeliver$/.test(path)) return undefined
      const who = await authenticate(schemes, request.headers, request.rawHeaders)
      if (who.ok === false) return problemResponse(who.problem)
      if (who.ok === 'body') return problemResponse(problem('auth.invalid', 'The admin API takes header credentials, not signatures.'))
      return route(request.method ?? 'GET', path, url.searchParams)
    },
  }
}
