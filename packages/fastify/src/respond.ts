import { Readable } from 'node:stream'
import { type VerifiedWebhook, type WebhookRequest, type WebhookResponse } from '@webhook-trigger/core'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Writes a core answer through Fastify, so its hooks and logger still see it.
 * The media type must stay the one Express and Koa send: Fastify appends
 * `; charset=utf-8` to a JSON media type when it is handed a string, unless
 * the reply has its own serializer. So a string body goes through one that
 * returns it as it is (no copy into a Buffer per answer), bytes as they are.
 */
export function respond(reply: FastifyReply, { status, headers, body }: WebhookResponse): FastifyReply {
  reply.code(status).headers(headers)
  if (typeof body === 'string') return reply.serializer(asIs).send(body)
  return reply.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
}

/** The serializer for a body that is already the text to send. */
function asIs(payload: unknown): string {
  return payload as string
}

/** Core's view of a Fastify request whose body is still the unread `payload` stream. */
export function requestOf(request: FastifyRequest, payload: Readable, webhook?: VerifiedWebhook): WebhookRequest & { webhook?: VerifiedWebhook } {
  const { raw } = request
  return {
    method: raw.method,
    headers: raw.headers,
    rawHeaders: raw.rawHeaders,
    body: { kind: 'stream', stream: payload },
    connection: raw.socket,
    webhook,
  }
}

/**
 * The bytes again, as the payload stream for the app's own content-type
 * parser; Fastify checks `receivedEncodedLength` against Content-Length.
 */
export function replay(bytes: Buffer): Readable {
  return Object.assign(Readable.from([bytes], { objectMode: false }), { receivedEncodedLength: bytes.byteLength })
}
