import type { IncomingHttpHeaders } from 'node:http'
import { authenticate } from '../auth/authenticate.js'
import type { AuthScheme } from '../auth/scheme.js'
import type { Outbox, OutboxState } from '../outbox/outbox.js'
import { type WebhookResponse, problem, problemResponse } from '../problem.js'
import { readEventQuery } from './admin-query.js'
import { attemptView, eventView } from './admin-views.js'
import { consoleResponse } from './console-page.js'
import { crossSite } from './cross-site.js'
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
   * Show event bodies, their headers, and the upstream's answers in the API and
   * the console. They may hold personal data: keep it off unless the admins may
   * read every payload.
   * @default false
   */
  showBodies?: boolean
  /**
   * Serve the delivery console at `GET /`. The page holds no data: it asks for
   * the admin token and reads the API with it.
   * @default true
   */
  console?: boolean
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

const badRequest = (detail: string) => problemResponse(problem('admin.bad_request', detail))
const notFound = (detail: string) => problemResponse(problem('admin.not_found', detail))
const methodNotAllowed = (allow: string) => problemResponse(problem('method.not_allowed', `Use ${allow}.`, { headers: { allow } }))

const ADMIN_KEYS = optionKeys<AdminOptions>()('outbox', 'auth', 'metrics', 'health', 'logger', 'showBodies', 'console', 'now')

/** A path segment decoded, or `undefined` for a broken percent-encoding. */
function segment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

const MINUTE = 60_000
type Route = 'console' | 'events' | 'redeliverAll' | 'event' | 'redeliver' | 'summary' | 'metrics' | 'health'

function routeOf(path: string): { route: Route; id?: string } | undefined {
  if (path === '/') return { route: 'console' }
  if (path === '/events') return { route: 'events' }
  if (path === '/events/redeliver') return { route: 'redeliverAll' }
  if (path === '/summary') return { route: 'summary' }
  if (path === '/metrics') return { route: 'metrics' }
  if (path === '/health') return { route: 'health' }
  const match = /^\/events\/([^/]+)(\/redeliver)?$/.exec(path)
  return match === null ? undefined : { route: match[2] === undefined ? 'event' : 'redeliver', id: match[1]! }
}

/**
 * The admin API over an outbox, behind its own credentials, and the delivery
 * console that reads it:
 *
 * - `GET /`: the console page (no data in it; it asks for the token)
 * - `GET /events?state=pending|dead|delivered&event=&tenant=&from=&to=&limit=100&cursor=`: a page of events, newest first, and `next`
 * - `GET /events/<id>`: one event with its attempts
 * - `GET /summary?minutes=60`: counts per state, and received / delivered / failed per minute
 * - `POST /events/<id>/redeliver`: a dead event back to pending
 * - `POST /events/redeliver`: every dead event back to pending
 * - `DELETE /events?state=dead`: purge
 * - `GET /metrics`: received, delivered, retried, dead (JSON), or the Prometheus text format when asked
 * - `GET /health`: the store reachable, pending and dead counts, the oldest pending age; 200 or 503
 *
 * State-changing requests sent from another site are refused (see `crossSite`).
 *
 * @example
 * app.use('/admin', adminRouter({ outbox, auth: bearer({ token: process.env.ADMIN_TOKEN }) }))
 */
/**
 * The path and query of a request target, or `undefined` when it is none
 * (`*`, or bytes no URL parser takes). A target starting with `//` is a path
 * (RFC 9112 section 3.2.1), not a host: it is never resolved as one.
 */
function requestTarget(target: string): URL | undefined {
  try {
    return new URL(target.startsWith('/') ? `http://admin.invalid${target}` : target)
  } catch {
    return undefined
  }
}

export function createAdminHandler(options: AdminOptions, where = 'createAdminHandler()'): AdminHandler {
  checkOptions(where, options, ADMIN_KEYS)
  if (typeof options?.outbox?.find !== 'function') throw new TypeError(`${where}: "outbox" must be an Outbox`)
  const schemes = ([] as AuthScheme[]).concat(options.auth)
  if (schemes.length === 0 || !schemes.every((s) => typeof s?.authenticate === 'function')) {
    throw new TypeError(`${where}: "auth" must name the admin's own credentials, e.g. auth: bearer({ token: process.env.ADMIN_TOKEN })`)
  }
  const { outbox, metrics } = options
  const showBodies = options.showBodies ?? false
  const serveConsole = options.console ?? true
  if (typeof showBodies !== 'boolean') throw new TypeError(`${where}: "showBodies" must be true or false`)
  if (typeof serveConsole !== 'boolean') throw new TypeError(`${where}: "console" must be true or false`)
  const now = options.now ?? Date.now
  const { public: publicHealth = false, ...healthOptions } = checkHealthOptions(options.health, where)
  const log = createLog(checkLogger(options.logger, where), 'admin')

  async function events(method: string, query: URLSearchParams): Promise<WebhookResponse> {
    if (method === 'DELETE') {
      const state = (query.get('state') ?? 'dead') as OutboxState
      if (state !== 'dead' && state !== 'pending') return badRequest('Only "pending" or "dead" events can be purged.')
      return json(200, { purged: await outbox.purge(state) })
    }
    if (method !== 'GET') return methodNotAllowed('GET, DELETE')
    const read = readEventQuery(query)
    if (typeof read === 'string') return badRequest(read)
    const page = await outbox.find(read)
    return json(200, { state: read.state, events: page.events.map((e) => eventView(e, showBodies)), ...(page.next !== undefined && { next: page.next }) })
  }

  async function summary(query: URLSearchParams): Promise<WebhookResponse> {
    const minutes = Number(query.get('minutes') ?? 60)
    if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > 1440) return badRequest('minutes must be a whole number from 1 to 1440.')
    // Whole minutes, the last one still filling.
    const until = (Math.floor(now() / MINUTE) + 1) * MINUTE
    const [counts, activity] = await Promise.all([outbox.counts(), outbox.activity(until - minutes * MINUTE, until, MINUTE)])
    return json(200, { counts, activity: { ...activity, since: new Date(activity.since).toISOString() } })
  }

  async function metricsResponse(accept: string | undefined): Promise<WebhookResponse> {
    if (metrics?.exposition === undefined || !prefersText(accept)) return json(200, metrics?.snapshot() ?? {})
    const { contentType, body } = await metrics.exposition()
    return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body }
  }

  async function route(method: string, { route, id }: { route: Route; id?: string }, query: URLSearchParams, accept: string | undefined): Promise<WebhookResponse> {
    const decoded = id === undefined ? undefined : segment(id)
    if (id !== undefined && decoded === undefined) return badRequest('The event id in the path is not valid percent-encoding.')
    switch (route) {
      case 'events':
        return events(method, query)
      case 'redeliverAll':
        return method === 'POST' ? json(200, { redelivered: await outbox.redeliverAll(now()) }) : methodNotAllowed('POST')
      case 'redeliver':
        if (method !== 'POST') return methodNotAllowed('POST')
        return (await outbox.redeliver(decoded!, now())) ? json(200, { redelivered: 1, id: decoded }) : notFound('No dead event has this id.')
      case 'event': {
        if (method !== 'GET') return methodNotAllowed('GET')
        const event = await outbox.get(decoded!)
        if (event === undefined) return notFound('No event has this id (delivered ones are kept for a while only).')
        return json(200, { ...eventView(event, showBodies), history: (event.history ?? []).map((a) => attemptView(a, showBodies)) })
      }
      case 'summary':
        return method === 'GET' ? summary(query) : methodNotAllowed('GET')
      case 'health':
        return method === 'GET' ? healthResponse(await checkHealth(outbox, healthOptions, now)) : methodNotAllowed('GET')
      default:
        return method === 'GET' ? metricsResponse(accept) : methodNotAllowed('GET')
    }
  }

  return {
    async handle(request) {
      const url = requestTarget(request.url ?? '/')
      if (url === undefined) return undefined
      const path = url.pathname.replace(/\/$/, '') || '/'
      const found = routeOf(path)
      if (found === undefined || (found.route === 'console' && !serveConsole)) return undefined
      const method = request.method ?? 'GET'
      if (found.route === 'console') return method === 'GET' || method === 'HEAD' ? consoleResponse() : methodNotAllowed('GET')
      if (found.route === 'health' && publicHealth) return route(method === 'HEAD' ? 'GET' : method, found, url.searchParams, undefined)
      if (method !== 'GET' && method !== 'HEAD') {
        const refused = crossSite(request.headers)
        if (refused !== undefined) return problemResponse(refused)
      }
      const who = await authenticate(schemes, request.headers, request.rawHeaders)
      if (who.ok === false) {
        log.info({ method, path, outcome: 'refused', code: who.problem.code }, 'admin request refused')
        return problemResponse(who.problem)
      }
      if (who.ok === 'body') return problemResponse(problem('auth.invalid', 'The admin API takes header credentials, not signatures.'))
      const response = await route(method === 'HEAD' ? 'GET' : method, found, url.searchParams, request.headers.accept)
      // What changed the outbox, and on whose credentials (the tenant the admin scheme names, never the token).
      if (method !== 'GET' && method !== 'HEAD') {
        log.info({ method, path, status: response.status, tenant: who.who.tenant, outcome: response.status < 300 ? 'done' : 'refused' }, 'admin action')
      }
      return response
    },
  }
}
