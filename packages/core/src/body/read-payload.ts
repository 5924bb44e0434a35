import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { Callback } from '../callback.js'
import { type Problem, problem } from '../problem.js'
import type { BodySource } from './body-source.js'
import { readBodyInto, tooLarge } from './read-body.js'
import { readWebBodyInto } from './read-web-body.js'

/** The body as we can still get it: its exact bytes, or only the value a parser left. */
export type Payload = { ok: true; bytes: Buffer } | { ok: true; bytes: undefined; parsed: unknown } | { ok: false; problem: Problem }

/** Called once with the payload; an error is a stream failure or misuse, not bad input. */
export type PayloadCallback = Callback<Payload>

/**
 * Gets the body from wherever it is, within `limit`: read from the stream
 * (within `timeout` ms), the bytes a parser kept, or the parsed value when
 * nothing else is left.
 * Only reading a stream waits; the other sources call back at once. A body
 * source only a JavaScript caller could get wrong is an error, never a throw.
 */
export function readPayload(body: BodySource, limit: number, timeout: number, headers: IncomingHttpHeaders, done: PayloadCallback): void {
  const given = body as BodySource | undefined
  switch (given?.kind) {
    case 'stream':
      if (typeof (given.stream as Partial<Readable> | undefined)?.on !== 'function') break
      return readBodyInto(given.stream, limit, headers['content-length'], timeout, done)
    case 'web':
      if (typeof (given.stream as Partial<ReadableStream> | undefined)?.getReader !== 'function') break
      return readWebBodyInto(given.stream, limit, headers['content-length'], timeout, done)
    case 'bytes':
      if (!((given.bytes as unknown) instanceof Uint8Array)) break
      if (given.bytes.byteLength > limit) return done(null, { ok: false, problem: tooLarge(limit) })
      return done(null, { ok: true, bytes: Buffer.from(given.bytes.buffer, given.bytes.byteOffset, given.bytes.byteLength) })
    case 'parsed':
      return done(null, { ok: true, bytes: undefined, parsed: given.value })
    case 'gone':
      return done(null, { ok: false, problem: rawBodyGone('Something read the request body before the webhook middleware and kept neither the bytes nor a parsed value.') })
  }
  done(new TypeError('verify(): "body" must be a body source, e.g. nodeRequest(req).body or bodySource(req)'), undefined)
}

/** The 500 for a body we need but cannot have, naming the fixes. */
export function rawBodyGone(what: string): Problem {
  return problem(
    'server.raw_body_unavailable',
    `${what} Mount the webhook middleware before the body parser, or keep the bytes: express.json({ verify: keepRawBody }) in Express; Koa's body parsers keep ctx.request.rawBody.`,
  )
}
