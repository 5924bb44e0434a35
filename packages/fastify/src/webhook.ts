import type { Readable } from 'node:stream'
import {
  type EventData,
  type EventSchemas,
  type VerifiedWebhook,
  type WebhookOptions,
  createDispatch,
  createWebhookVerifier,
  settleOnFinish,
} from '@webhook-trigger/core'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify'
import { replay, requestOf, respond } from './respond.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the webhook plugin (or `verifyWebhook()`) once the request passed every check. */
    webhook?: VerifiedWebhook
  }
}

/** Handles one verified event. Answer with `reply` yourself, or return and we answer 202. */
export type FastifyWebhookHandler<Data = Record<string, unknown>, Event extends string = string> = (
  webhook: VerifiedWebhook<Data, Event>,
  request: FastifyRequest,
  reply: FastifyReply,
) => unknown

export interface FastifyWebhookOptions<S extends EventSchemas = EventSchemas> extends WebhookOptions<S> {
  /**
   * A handler per event, typed by `schemas`. An event without one goes to
   * `handler`, else (route-level use) to the route's own handler with
   * `request.webhook` set.
   * @default {}
   */
  on?: NoInfer<{ [E in keyof S & string]?: FastifyWebhookHandler<EventData<S, E>, E> }>
  /**
   * Handles every event that has no `on` entry.
   * @default undefined: the route's handler runs (the plugin's answers 202)
   */
  handler?: FastifyWebhookHandler
}

/** What `app.register()` adds to a plugin's options; core would refuse them as unknown. */
const REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers'] as const

export function withoutRegisterKeys<T extends object>(options: T): T {
  if (options === null || typeof options !== 'object') return options
  const own = { ...options } as Record<string, unknown>
  for (const key of REGISTER_KEYS) delete own[key]
  return own as unknown as T
}

/**
 * A `preParsing` hook for route-level use: it reads the raw bytes before any
 * content-type parser, answers refusals with `application/problem+json`,
 * sets `request.webhook`, then runs the event's handler (202 unless it
 * answers), or hands the same bytes on to the route's parser and handler.
 *
 * @example
 * app.post('/webhook', { preParsing: verifyWebhook({ auth: basic(credentials) }) }, async (request) => {
 *   await save(request.webhook!)
 *   return { saved: true }
 * })
 */
export function verifyWebhook<const S extends EventSchemas = Record<string, null>>(options: FastifyWebhookOptions<S>): preParsingHookHandler {
  return preParsingHook(options, true)
}

/** The hook; `routeFollows` is false for the plugin's own route, which has nothing to hand on to. */
function preParsingHook<S extends EventSchemas>(options: FastifyWebhookOptions<S>, routeFollows: boolean): preParsingHookHandler {
  const verifier = createWebhookVerifier(withoutRegisterKeys(options), 'webhook()')
  const dispatch = createDispatch<[FastifyRequest, FastifyReply]>(options.on, options.handler, 'webhook()')

  return function webhookPreParsing(request, reply, payload, done) {
    verifier.verify(requestOf(request, payload), (error, result) => {
      if (error !== null) return done(error)
      if (!result.ok) return void respond(reply, result.response)
      settleOnFinish(reply.raw, result)
      const verified = result.webhook
      request.webhook = verified
      let dispatched: void | Promise<void>
      try {
        dispatched = dispatch(verified, [request, reply], {
          answered: () => reply.sent,
          answer: (response) => void respond(reply, response),
          // The route's own handler follows, after its content-type parser reads the same bytes again.
          next: routeFollows ? () => done(null, replay(verified.rawBody!)) : undefined,
        })
      } catch (thrown) {
        return done(thrown as Error)
      }
      dispatched?.catch(done)
    })
  }
}

/** Leaves the body to whoever reads the payload stream next: nothing parses it twice. */
function unparsed(request: FastifyRequest, _payload: Readable, done: (error: Error | null, body?: unknown) => void): void {
  done(null, request.webhook?.payload)
}

/**
 * The Fastify plugin for an inbound webhook, for Fastify 4 and 5. It adds a
 * route at `path` (under the register `prefix`) in its own encapsulated
 * context, where no content-type parser of the app touches the body, so
 * signatures verify over the exact bytes. Refusals are answered with
 * `application/problem+json`; a verified request runs its handler and gets
 * 202 unless the handler answers.
 *
 * @example
 * await app.register(webhook, {
 *   path: '/webhook',
 *   auth: basic(tenants({ tenant123: 'api_token_abc123' })),
 *   handler: (hook) => console.log(hook.tenant, hook.event),
 * })
 */
export const webhook: FastifyPluginCallback<FastifyWebhookOptions> = function webhook(instance, options, done) {
  let preParsing: preParsingHookHandler
  try {
    preParsing = preParsingHook(options, false)
  } catch (error) {
    return done(error as Error)
  }
  instance.removeAllContentTypeParsers()
  instance.addContentTypeParser('*', unparsed)
  instance.decorateRequest('webhook', undefined)
  // Never reached: the hook answers every request of this route.
  instance.all(options.path ?? '*', { preParsing }, function webhookRoute(_request, reply) {
    return reply
  })
  done()
}
