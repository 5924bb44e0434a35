import {
  type EventData,
  type EventSchemas,
  type VerifiedWebhook,
  type VerifyResult,
  type WebhookOptions,
  createDispatch,
  createWebhookVerifier,
} from '@webhook-trigger/core'
import { requestOf, responseOf } from './exchange.js'

/** Handles one verified event. Return a `Response` to answer yourself; anything else gets 202. */
export type FetchWebhookHandler<Data = Record<string, unknown>, Event extends string = string> = (
  webhook: VerifiedWebhook<Data, Event>,
  request: Request,
) => unknown

export interface FetchWebhookOptions<S extends EventSchemas = EventSchemas> extends WebhookOptions<S> {
  /**
   * A handler per event, typed by `schemas`. An event without one goes to `handler`.
   * @default {}
   */
  on?: NoInfer<{ [E in keyof S & string]?: FetchWebhookHandler<EventData<S, E>, E> }>
  /**
   * Handles every event that has no `on` entry.
   * @default undefined: answer 202
   */
  handler?: FetchWebhookHandler
}

/**
 * The handler a Fetch host calls: Hono, a Next.js route's `POST` export,
 * `Bun.serve`, `Deno.serve`. `host` is what the host passes beside the
 * request (node-server's env, Deno's info, Bun's server), read for the
 * peer address and connection when present.
 */
export type FetchHandler = (request: Request, host?: unknown) => Promise<Response>

function settled(result: VerifyResult & { ok: true }, response: Response): Response {
  // Fetch gives no signal once the answer is out: the delivery counts as handled when its 2xx is made.
  // The verifier's settle never rejects: a delivery log that fails is logged through the logger option.
  void result.settle?.(response.status >= 200 && response.status < 300)
  return response
}

/**
 * The inbound webhook as a Fetch handler: `(request) => Promise<Response>`.
 * Refusals are `application/problem+json` answers; a verified request runs
 * its handler, which may return a `Response`, else gets 202. The body is read
 * from `request.body` with the limit enforced while streaming. A handler
 * that throws, or a failing lookup, rejects: the host's error handling answers.
 *
 * @example
 * // Next.js App Router: app/webhook/route.ts
 * export const POST = webhook({
 *   auth: basic(tenants({ tenant123: 'api_token_abc123' })),
 *   handler: (hook) => console.log(hook.tenant, hook.event),
 * })
 */
export function webhook<const S extends EventSchemas = Record<string, null>>(options: FetchWebhookOptions<S>): FetchHandler {
  const verifier = createWebhookVerifier(options, 'webhook()')
  const dispatch = createDispatch<[Request]>(options.on, options.handler, 'webhook()')

  /** The rule for a verified request: the handler's `Response`, else 202; a throw or rejection fails the delivery. */
  function answer(result: VerifyResult & { ok: true }, request: Request): Response | Promise<Response> {
    let response: Response | undefined
    const failed = (error: unknown): never => {
      result.settle?.(false).catch(() => undefined)
      throw error
    }
    let dispatched: void | Promise<void>
    try {
      dispatched = dispatch(result.webhook, [request], {
        answered: (returned) => {
          if (returned instanceof Response) response = returned
          return response !== undefined
        },
        answer: (accepted) => void (response = responseOf(accepted)),
      })
    } catch (error) {
      return failed(error)
    }
    // Awaited only when the handler returned a promise: a synchronous one answers without a trip through the microtask queue.
    if (dispatched === undefined) return settled(result, response!)
    return dispatched.then(() => settled(result, response!), failed)
  }

  return function webhookHandler(request: Request, host?: unknown): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      verifier.verify(requestOf(request, host), (error, result) => {
        if (error !== null) return reject(error)
        if (!result.ok) return resolve(responseOf(result.response))
        try {
          resolve(answer(result, request))
        } catch (thrown) {
          // Passed on as thrown, as the async function this replaces did.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(thrown)
        }
      })
    })
  }
}

/**
 * The same checks for middleware (Hono's `app.use`): resolves to the
 * refusal to return, or to the verified webhook for the next handler. A
 * tracked delivery (replay, dedupe) counts as handled once verified.
 *
 * @example
 * const verify = verifyWebhook({ auth: basic(credentials) })
 * app.use('/webhook', async (c, next) => {
 *   const checked = await verify(c.req.raw)
 *   if (checked instanceof Response) return checked
 *   c.set('webhook', checked)
 *   await next()
 * })
 */
export function verifyWebhook<const S extends EventSchemas = Record<string, null>>(
  options: WebhookOptions<S>,
): (request: Request, host?: unknown) => Promise<Response | VerifiedWebhook> {
  const verifier = createWebhookVerifier(options, 'verifyWebhook()')
  return async function verifyRequest(request: Request, host?: unknown): Promise<Response | VerifiedWebhook> {
    const result = await verifier.verify(requestOf(request, host))
    if (!result.ok) return responseOf(result.response)
    settled(result, new Response(null, { status: 204 }))
    return result.webhook
  }
}
