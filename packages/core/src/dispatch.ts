import { acceptedResponse, handlerTable, isThenable } from './handlers.js'
import type { WebhookResponse } from './problem.js'
import type { VerifiedWebhook } from './webhook.js'

/** What an adapter tells core about its host, for one verified request. */
export interface DispatchHost {
  /** Whether an answer is already out, given what the handler returned (a Fetch handler answers by returning a `Response`). */
  answered(returned: unknown): boolean
  /** Writes core's answer: the 202. */
  answer(response: WebhookResponse): void
  /**
   * Hands the request on to what follows the webhook in the host: Express's
   * and Koa's `next()`, a Fastify route's own handler. Absent when nothing
   * can follow (the Fastify plugin's route, a Fetch handler). When it
   * returns a promise (Koa), the 202 waits for it.
   * @default undefined
   */
  next?: () => unknown
  /**
   * Asked only when no handler is configured: whether something after the
   * webhook takes this request (Express: a later handler in the route).
   * @default () => true
   */
  follows?: () => boolean
  /**
   * Where a handler's throw or rejection (or the rejection of a promise
   * `next` returned, or a throw while writing the 202) goes, for hosts that take errors by callback (Express's
   * `next(error)`, Fastify's `done(error)`); `dispatch` then never throws nor
   * rejects. A synchronous throw from `next` stays the host's own.
   * @default undefined: a throw propagates, a rejection rejects
   */
  fail?: (error: unknown) => void
}

/** Runs the rule for one verified request; a promise only when something returned one. */
export type Dispatch<Args extends unknown[]> = (webhook: VerifiedWebhook, args: Args, host: DispatchHost) => void | Promise<void>

type Handler<Args extends unknown[]> = (webhook: VerifiedWebhook<never, never>, ...args: Args) => unknown

/**
 * The one rule every adapter follows once a request passed every check:
 *
 * 1. The event's `on` handler, else `handler`, runs with the webhook and the
 *    host's request objects; then 202, unless it answered.
 * 2. With neither, the request goes to what follows the webhook in the host
 *    (`next`); when the host lets us wait for that, 202 after it, unless
 *    something answered.
 * 3. With neither and nothing following, 202.
 *
 * It waits only for a returned thenable, so a synchronous handler answers
 * with no microtask on the way. A throw propagates and a rejection rejects,
 * unless the host takes them with `fail`. `on` and `handler` are validated
 * here, at creation.
 *
 * @example
 * const dispatch = createDispatch<[Request, Response]>(options.on, options.handler, 'webhook()')
 * dispatch(result.webhook, [req, res], { answered: () => res.headersSent, answer: (r) => writeResponse(res, r) })
 */
export function createDispatch<Args extends unknown[]>(
  on: Readonly<Record<string, Handler<Args> | undefined>> | undefined,
  handler: Handler<Args> | undefined,
  where: string,
): Dispatch<Args> {
  const handlerFor = handlerTable(on, handler, where)

  return function dispatch(webhook, args, host) {
    const handle = handlerFor(webhook.event)
    if (handle === undefined && host.next !== undefined && (host.follows?.() ?? true)) {
      const followed = host.next()
      // A host that cannot say when what follows has finished (Express) leaves the answer to it.
      return isThenable(followed) ? finish(webhook, host, followed) : undefined
    }
    if (host.fail === undefined) return finish(webhook, host, handle?.(webhook as VerifiedWebhook<never, never>, ...args))
    try {
      return finish(webhook, host, handle?.(webhook as VerifiedWebhook<never, never>, ...args))
    } catch (error) {
      host.fail(error)
    }
  }
}

/** 202 once what ran has returned, unless it answered; a rejection goes to `fail` when the host gives one. */
function finish(webhook: VerifiedWebhook, host: DispatchHost, returned: unknown): void | Promise<void> {
  if (!isThenable(returned)) return accept(webhook, host, returned)
  const accepted = Promise.resolve(returned).then((value) => accept(webhook, host, value))
  if (host.fail === undefined) return accepted
  accepted.catch(host.fail)
}

function accept(webhook: VerifiedWebhook, host: DispatchHost, returned: unknown): void {
  if (!host.answered(returned)) host.answer(acceptedResponse(webhook))
}
