import type { IncomingHttpHeaders } from 'node:http'
import { authenticate } from '../auth/authenticate.js'
import type { AuthScheme } from '../auth/scheme.js'
import type { Outbox, OutboxMessage, OutboxState } from '../outbox/outbox.js'
import { type WebhookResponse, problem, problemResponse } from '../problem.js'
import { type HealthOptions, checkHealth, checkHealthOptions, healthResponse } from '../health/health.js'
import { type Logger, checkLogger, createLog } from '../log/logger.js'
import type { Metrics } from './metrics.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'
import { prefersText } from './negotiate.js'

export interface AdminOptions {
  /** The outbox to inspect and act on. */
  outbox: Outbox
  /** The admin's own credentials, e.g. `bearer({ token: process.env.ADMIN_TOKEN })`. Header schemes only. */
  auth: AuthScheme | readonly AuthScheme[]
  /**
   * Counters to expose at `GET /metrics`: JSON, or the Prometheus text
   * format to a client that asks for it (`Accept: text/plain` or OpenMetrics)
   * when they come from `@webhook-trigger/prometheus`.
   */
  metrics?: Metrics
  /**
   * `GET /health`: limits beyond which it answers 503, the store's timeout,
   * and `public: true` to answer it without the admin credentials (a load
   * balancer's probe).
   * @default { timeout: 2000, public: false }, no limits
   */
  health?: HealthOptions & { public?: boolean }
  /**
   * Where to log each state-changing admin request (info, `admin action`,
   * with `method`, `path`, `status`, `outcome` and the admin's `tenant`) and
   * each refused one (`admin request refused`, with its `code`). Never a credential.
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
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

const ADMIN_KEYS = optionKeys<AdminOptions>()('outbox', 'auth', 'metrics', 'health', 'logger', 'prefix', 'now')

/**
 * A small JSON admin API over an outbox, behind its own credentials:
 *
 * - `GET /events?state=pending|dead&limit=100`: events with attempts and last error
 * - `POST /events/<id>/redeliver`: a dead event back to pending
 * - `POST /events/redeliver`: every dead event back to pending
 * - `DELETE /events?state=dead`: purge
 * - `GET /metrics`: received, delivered, retried, dead (JSON), or the Prometheus text format when asked
 * - `GET /health`: the store reachable, pending and dead counts, the oldest pending age; 200 or 503
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
  const { public: publicHealth = false, ...healthOptions } = checkHealthOptions(options.health, where)
  const log = createLog(checkLogger(options.logger, where), 'admin')

  async function route(method: string, path: string, query: URLSearchParams, accept: string | undefined): Promise<WebhookResponse | undefined> {
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
    if (path === '/metrics') return method === 'GET' ? metricsResponse(accept) : methodNotAllowed('GET')
    if (path === '/health') return method === 'GET' ? healthResponse(await checkHealth(outbox, healthOptions, now)) : methodNotAllowed('GET')
    return undefined
  }

  async function metricsResponse(accept: string | undefined): Promise<WebhookResponse> {
    if (metrics?.exposition === undefined || !prefersText(accept)) return json(200, metrics?.snapshot() ?? {})
    const { contentType, body } = await metrics.exposition()
    return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body }
  }

  return {
    async handle(request) {
      const url = new URL(request.url ?? '/', 'http://admin.invalid')
      if (!url.pathname.startsWith(prefix)) return undefined
      const path = url.pathname.slice(prefix.length).replace(/\/$/, '') || '/'
      if (!['/events', '/events/redeliver', '/metrics', '/health'].includes(path) && !/^\/events\/[^/]+\/redeliver$/.test(path)) return undefined
      if (path === '/health' && publicHealth) return route(request.method ?? 'GET', path, url.searchParams, undefined)
      const method = request.method ?? 'GET'
      const who = await authenticate(schemes, request.headers, request.rawHeaders)
      if (who.ok === false) {
        log.info({ method, path, outcome: 'refused', code: who.problem.code }, 'admin request refused')
        return problemResponse(who.problem)
      }
      if (who.ok === 'body') return problemResponse(problem('auth.invalid', 'The admin API takes header credentials, not signatures.'))
      const response = await route(method, path, url.searchParams, request.headers.accept)
      // What changed the outbox, and on whose credentials (the tenant the admin scheme names, never the token).
      if (method !== 'GET' && method !== 'HEAD' && response !== undefined) {
        log.info({ method, path, status: response.status, tenant: who.who.tenant, outcome: response.status < 300 ? 'done' : 'refused' }, 'admin action')
      }
      return response
    },
  }
}
