import type { StandardSchemaV1 } from '@standard-schema/spec'

/** Per-event schemas for `data`: event name -> Standard Schema, or `null` for an event without one. */
export type EventSchemas = Record<string, StandardSchemaV1 | null>

/** The `data` type of `event` under `schemas`. */
export type EventData<S, E> = E extends keyof S
  ? S[E] extends StandardSchemaV1
    ? StandardSchemaV1.InferOutput<S[E]>
    : Record<string, unknown>
  : Record<string, unknown>

/** A request that passed every check: who sent it and what it says. Never holds a credential. */
export interface VerifiedWebhook<Data = Record<string, unknown>, Event extends string = string> {
  /** `webhook-id` or `Idempotency-Key` sent by the caller, else a new UUID. */
  id: string
  /** The tenant the credentials belong to. */
  tenant: string
  /** The scheme that verified the request: `basic`, `bearer` or `header`. */
  scheme: string
  /** The envelope's `event`. */
  event: Event
  /** The envelope's `data`, as the event's schema output it when one is given. */
  data: Data
  /** The whole parsed JSON body. */
  payload: unknown
  /** The body bytes as received; `undefined` when a body parser consumed them first. */
  rawBody: Buffer | undefined
  receivedAt: Date
  /** Names (never values) of the headers that carry credentials on this route, so a forwarder strips them. */
  credentialFields: readonly string[]
}
