import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import type { VerifiedWebhook } from '../webhook.js'

/** Where a request's body can still be found when the verifier runs. */
export type BodySource =
  /** Nobody has read the body yet: we read it, with the limit. */
  | { kind: 'stream'; stream: Readable }
  /** A Web stream nobody has read yet (a Fetch `Request.body`): we read it, with the limit. */
  | { kind: 'web'; stream: ReadableStream<Uint8Array> }
  /** The raw bytes, kept by a body parser (`rawBody`) or given directly. */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** Only the value a JSON body parser produced; the bytes are gone. */
  | { kind: 'parsed'; value: unknown }
  /** Something consumed the stream and left neither bytes nor a value. */
  | { kind: 'gone' }

/**
 * Finds the body of a Node request that a body parser (`express.json()`,
 * `@koa/bodyparser`) may have read before us. Prefers, in order: the unread
 * stream, the raw bytes the parser kept, the parsed value.
 *
 * @example
 * bodySource(req, req.body, req.rawBody)
 */
export function bodySource(req: IncomingMessage, parsed?: unknown, raw?: unknown): BodySource {
  if (!req.readableEnded && !req.destroyed) return { kind: 'stream', stream: req }
  if (raw instanceof Uint8Array) return { kind: 'bytes', bytes: raw }
  // koa's body parsers keep rawBody as the decoded string.
  if (typeof raw === 'string') return { kind: 'bytes', bytes: Buffer.from(raw, 'utf8') }
  // express.raw() leaves a Buffer, express.text() a string: both are the body itself.
  if (parsed instanceof Uint8Array) return { kind: 'bytes', bytes: parsed }
  if (typeof parsed === 'string') return { kind: 'bytes', bytes: Buffer.from(parsed, 'utf8') }
  if (parsed !== undefined) return { kind: 'parsed', value: parsed }
  return { kind: 'gone' }
}

/**
 * The framework-neutral view of a Node request that `verify()` and the
 * forward handler take: method, headers (with `rawHeaders` for duplicates),
 * where the body is, the connection and peer (`X-Forwarded-For`), and the webhook
 * `webhook()` verified before `forward()`.
 *
 * @example
 * verifier.verify(nodeRequest(req, req.body, req.rawBody))
 * forwarder.handle(nodeRequest(req, req.body, req.rawBody, req.webhook))
 */
export function nodeRequest(req: IncomingMessage, parsed?: unknown, raw?: unknown, webhook?: VerifiedWebhook) {
  return {
    method: req.method,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body: bodySource(req, parsed, raw),
    remoteAddress: req.socket.remoteAddress,
    encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
    connection: req.socket,
    webhook,
  }
}
