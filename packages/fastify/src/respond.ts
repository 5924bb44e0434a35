import { Readable } from 'node:stream'
import { type VerifiedWebhook, type WebhookRequest, type WebhookResponse } from '@webhook-trigger/core'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Writes a core answer through Fastify, so its hooks and logger still see it.
 * Always as bytes: Fastify appends `; charset=utf-8` to the media type of a
 * string body, and the answer must be the one Express and Koa give.
 */
export function respond(reply: FastifyReply, { status, headers, body }: WebhookResponse): FastifyReply {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return reply.code(status).headers(headers).send(bytes)
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
