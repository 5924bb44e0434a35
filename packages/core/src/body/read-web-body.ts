import { promised } from '../callback.js'
import { DEFAULT_BODY_TIMEOUT } from './body-timeout.js'
import { type ReadCallback, type ReadResult, incomplete, timedOut, tooLarge } from './read-body.js'

/**
 * Reads a Web `ReadableStream` (a Fetch `Request.body`) chunk by chunk,
 * stopping as soon as it passes `limit`: nothing past the limit is kept.
 * Like `readBodyInto()`, a body that ends short of its declared length, or
 * a stream that fails (the client went away), is `payload.incomplete`.
 * Over the limit it stops reading without cancelling: on Node hosts
 * cancelling destroys the socket the answer still has to go out on. A body
 * not fully arrived `timeout` ms after the read began is `payload.timeout`.
 */
export function readWebBodyInto(stream: ReadableStream<Uint8Array>, limit: number, length: string | undefined, timeout: number, done: ReadCallback): void {
  if (stream.locked) return done(null, incomplete())
  const reader = stream.getReader()
  const declared = length === undefined ? -1 : Number(length)
  const chunks: Buffer[] = []
  let received = 0
  let settled = false
  const timer = setTimeout(() => settle(timedOut(timeout)), timeout)

  function settle(result: ReadResult | Error): void {
    if (settled) return
    settled = true
    clearTimeout(timer)
    // Runtimes that predate the current spec throw here while a read is pending (a timeout).
    try {
      reader.releaseLock()
    } catch {
      // The lock is only held until the request is dropped.
    }
    if (result instanceof Error) done(result, undefined)
    else done(null, result)
  }

  function onChunk(chunk: { done: true; value?: Uint8Array } | { done: false; value: Uint8Array }): void {
    if (settled) return
    if (chunk.done) {
      if (Number.isSafeInteger(declared) && declared !== -1 && received !== declared) return settle(incomplete())
      return settle({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received) })
    }
    const { value } = chunk
    if (!((value as unknown) instanceof Uint8Array)) return settle(new TypeError('readBody(): the stream must produce bytes (Uint8Array)'))
    received += value.byteLength
    if (received > limit) return settle({ ok: false, problem: tooLarge(limit) })
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))
    reader.read().then(onChunk, onError)
  }

  function onError(): void {
    settle(incomplete())
  }

  reader.read().then(onChunk, onError)
}

/** `readWebBodyInto()` as a promise. */
export function readWebBody(stream: ReadableStream<Uint8Array>, limit: number, length: string | undefined, timeout = DEFAULT_BODY_TIMEOUT): Promise<ReadResult> {
  return promised<ReadResult>((done) => readWebBodyInto(stream, limit, length, timeout, done))
}
