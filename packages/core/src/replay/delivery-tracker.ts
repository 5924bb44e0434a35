import { createHash, randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Authenticated } from '../auth/authenticate.js'
import { acceptedResponse } from '../handlers.js'
import { type Problem, type WebhookResponse, problem, problemResponse } from '../problem.js'
import { type Log, createLog } from '../log/logger.js'
import { outageReport, unavailable } from '../store-outage.js'
import { type Claim, type DeliveryLog, memoryDeliveryLog } from './delivery-log.js'
import { checkOptions, optionKeys } from '@webhook-trigger/client'

export interface DedupeOptions {
  /** Where handled deliveries are remembered. @default memoryDeliveryLog() */
  log?: DeliveryLog
  /**
   * How long a delivery id is remembered: ms, or `"30m"`, `"24h"`, `"7d"`.
   * @default "24h"
   */
  window?: number | string
  /**
   * A JSON Pointer (RFC 6901) to the event id in the body, e.g. `"/data/id"`.
   * @default the `webhook-id` or `Idempotency-Key` header
   */
  id?: string
}

export type Tracked =
  | { id: string; settle?: (handled: boolean) => Promise<void> }
  /** Already handled, a conflict, or in progress: answer this instead of running the handler. */
  | { id: string; response: WebhookResponse; problem?: Problem }

export interface DeliveryTracker {
  /** Synchronous unless a delivery log is consulted. */
  track(who: Authenticated, headers: IncomingHttpHeaders, value: unknown, bytes: Buffer | undefined): Tracked | Promise<Tracked>
}

const ID_PATTERN = /^[\x21-\x7e]{1,255}$/
const DAY = 24 * 3600 * 1000
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY }
/** How long a claimed delivery stays "in progress" if its handler never settles (a crash). */
const PENDING_MS = 60_000

function parseWindow(value: number | string | undefined, where: string): number {
  if (value === undefined) return DAY
  const match = typeof value === 'string' ? /^(\d+)(ms|s|m|h|d)$/.exec(value.trim()) : null
  const ms = typeof value === 'number' ? value : match ? Number(match[1]) * UNITS[match[2]!]! : NaN
  if (!Number.isFinite(ms) || ms <= 0) throw new TypeError(`${where}: "dedupe.window" must be a positive number of ms or a duration such as "24h"`)
  return ms
}

/** The value at an RFC 6901 JSON Pointer, when it is a usable id. */
function atPointer(value: unknown, pointer: string): string | undefined {
  let node = value
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~')
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  const id = typeof node === 'string' || typeof node === 'number' ? String(node) : undefined
  return id !== undefined && ID_PATTERN.test(id) ? id : undefined
}

function headerId(headers: IncomingHttpHeaders): string | undefined {
  const given = headers['webhook-id'] ?? headers['idempotency-key']
  return typeof given === 'string' && ID_PATTERN.test(given) ? given : undefined
}

const DEDUPE_KEYS = optionKeys<DedupeOptions>()('log', 'window', 'id')

/**
 * Names each delivery and, where asked, remembers it: replay protection for
 * signature schemes (their delivery id, for the tolerance window) and
 * de-duplication for any scheme (`dedupe`: a header or body id, 24 h).
 */
export function createDeliveryTracker(
  replay: DeliveryLog | false | undefined,
  dedupe: DedupeOptions | boolean | undefined,
  where: string,
  log: Log = createLog(undefined, 'webhook'),
): DeliveryTracker {
  const replayLog = replay === false ? undefined : (replay ?? memoryDeliveryLog())
  if (replayLog !== undefined && typeof replayLog.claim !== 'function') {
    throw new TypeError(`${where}: "replay" must be a DeliveryLog, e.g. memoryDeliveryLog(), or false`)
  }
  const options = dedupe === true ? {} : dedupe === false || dedupe === undefined ? undefined : dedupe
  if (options !== undefined && (typeof options !== 'object' || (options.id !== undefined && !String(options.id).startsWith('/')))) {
    throw new TypeError(`${where}: "dedupe" must be true or { log, window, id }, with id a JSON Pointer such as "/data/id"`)
  }
  checkOptions(where, options, DEDUPE_KEYS, 'dedupe option')
  const dedupeLog = options && (options.log ?? memoryDeliveryLog())
  const dedupeWindow = options && parseWindow(options.window, where)
  const conflict = problem('payload.conflict', 'This delivery id was already used for a different body.')
  const inProgress = problem('payload.in_progress', 'This delivery is being handled right now; retry in a few seconds.', { headers: { 'retry-after': '5' } })
  const logDown = unavailable('log.unavailable', 'Whether this delivery was already handled cannot be checked right now; it was not handled, send it again later.')
  const outage = outageReport(log, 'the delivery log')

  async function remember(log: DeliveryLog, key: string, hash: string, window: number, id: string): Promise<Tracked> {
    let claim: Claim
    try {
      claim = await log.claim(key, hash, PENDING_MS, Date.now())
    } catch (error) {
      // Fail closed: handling it without the log could handle a redelivery twice.
      outage.failed(error)
      return { id, response: problemResponse(logDown), problem: logDown }
    }
    outage.recovered()
    if (claim.state === 'new') {
      return { id, settle: (handled) => (handled ? log.complete(key, hash, window, Date.now()) : log.release(key)) }
    }
    if (claim.hash !== hash) return { id, response: problemResponse(conflict), problem: conflict }
    if (claim.state === 'pending') return { id, response: problemResponse(inProgress), problem: inProgress }
    return { id, response: acceptedResponse({ id }, true) }
  }

  return {
    track(who, headers, value, bytes) {
      const fromBody = options?.id === undefined ? undefined : atPointer(value, options.id)
      const id = who.deliveryId ?? fromBody ?? headerId(headers)
      if (id === undefined) return { id: randomUUID() }
      const signed = who.deliveryId !== undefined && replayLog !== undefined
      if (dedupeLog === undefined && !signed) return { id }
      const hash = createHash('sha256')
        .update(bytes ?? JSON.stringify(value))
        .digest('hex')
      const key = `${who.tenant}:${id}`
      if (dedupeLog !== undefined) return remember(dedupeLog, key, hash, Math.max(dedupeWindow!, who.replayWindow ?? 0), id)
      return remember(replayLog!, key, hash, who.replayWindow!, id)
    },
  }
}
