import type { Readable } from 'node:stream'
import { type Callback, promised } from '../callback.js'
import { type Problem, problem } from '../problem.js'
import { DEFAULT_BODY_TIMEOUT } from './body-timeout.js'

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; problem: Problem }

/** A size problem, phrased the same whether Content-Length or the stream told us. */
export function tooLarge(limit: number): Problem {
  return problem('payload.too_large', `The body exceeds the ${limit}-byte limit.`)
}

export const incomplete = (): ReadResult => ({ ok: false, problem: problem('payload.incomplete', 'The body ended before its declared length.') })

/**
 * A body that did not arrive in time. `Connection: close`: the rest of it is
 * not worth waiting for, and keeping the connection would mean reading it.
 */
export function timedOut(timeout: number): ReadResult {
  return {
    ok: false,
    problem: problem('payload.timeout', `The body did not arrive within ${timeout} ms; send it at once, without pauses.`, { headers: { connection: 'close' } }),
  }
}

/** Called once with the outcome of a read; an error is a misuse of the stream or a stream failure, not bad input. */
export type ReadCallback = Callback<ReadResult>

/** One read in progress, kept on the stream so the listeners below are shared, not made per request. */
interface Reading {
  chunks: Buffer[]
  received: number
  limit: number
  /** The declared Content-Length, or -1. */
  length: number
  timeout: number
  /** Ends a read that takes longer than `timeout`: a stalled or trickling body (slowloris). */
  timer: NodeJS.Timeout
  done: ReadCallback
}

const READING = Symbol('webhook-trigger.reading')
type BodyStream = Readable & { [READING]?: Reading | undefined }

/** Ends the read once; the `error` and `close` listeners stay, so a late error has a listener. */
function settle(stream: BodyStream, result: ReadResult | Error): void {
  const reading = stream[READING]
  if (reading === undefined) return
  stream[READING] = undefined
  clearTimeout(reading.timer)
  if (result instanceof Error) reading.done(result, undefined)
  else reading.done(null, result)
}

function onData(this: BodyStream, chunk: unknown): void {
  const reading = this[READING]
  // A stream that errored without being destroyed may still flow: the read is over.
  if (reading === undefined) return
  if (!Buffer.isBuffer(chunk)) return void settle(this, new TypeError('readBody(): the stream must produce bytes, not strings or objects'))
  reading.received += chunk.length
  if (reading.received > reading.limit) return stopReading(this, { ok: false, problem: tooLarge(reading.limit) })
  reading.chunks.push(chunk)
}

function onEnd(this: BodyStream): void {
  const reading = this[READING]
  if (reading === undefined) return
  if (reading.length !== -1 && reading.received !== reading.length) return void settle(this, incomplete())
  const { chunks } = reading
  settle(this, { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, reading.received) })
}

/** Stops reading: Node's server discards the rest, or closes the connection. */
function stopReading(stream: BodyStream, result: ReadResult): void {
  stream.removeListener('data', onData)
  stream.pause()
  settle(stream, result)
}

function onTimeout(stream: BodyStream): void {
  const reading = stream[READING]
  if (reading !== undefined) stopReading(stream, timedOut(reading.timeout))
}

function onError(this: BodyStream, error: Error): void {
  // A client that goes away mid-body: Node destroys the request with ECONNRESET.
  settle(this, (error as { code?: unknown }).code === 'ECONNRESET' ? incomplete() : error)
}

function onClose(this: BodyStream): void {
  // Destroyed without an error and before its end: never leave the caller waiting.
  settle(this, incomplete())
}

/**
 * Reads the whole body, stopping as soon as it passes `limit`. When a
 * Content-Length is declared, the caller has already compared it with the
 * limit; a body that ends short of it is `payload.incomplete`. Never hangs:
 * an aborted or destroyed stream settles the read, and a body that has
 * not fully arrived `timeout` ms after the read began is
 * `payload.timeout` (408).
 *
 * Four listeners shared by every request (raw-body made eight closures and
 * five listeners per read, the largest cost of the body read in the
 * benchmark's profiles).
 */
export function readBody(stream: Readable, limit: number, length: string | undefined, timeout = DEFAULT_BODY_TIMEOUT): Promise<ReadResult> {
  return promised<ReadResult>((done) => readBodyInto(stream, limit, length, timeout, done))
}

/**
 * `readBody()` with a callback, called once: from the stream's `end` (or
 * `data`, `error`, `close`) event, so whoever answers from it does so with
 * no promise on the way; at once when the stream cannot be read.
 */
export function readBodyInto(stream: Readable, limit: number, length: string | undefined, timeout: number, done: ReadCallback): void {
  const body = stream as BodyStream
  if (body.readableEncoding !== null) return done(new TypeError('readBody(): the stream has an encoding set; the body must be read as bytes'), undefined)
  if (body[READING] !== undefined) return done(new TypeError('readBody(): the body is already being read'), undefined)
  if (body.destroyed || body.readableEnded) return done(null, incomplete())
  const declared = length === undefined ? -1 : Number(length)
  // A whole-body deadline, not an idle timer: a body sent a byte a second is never idle.
  // The timer passes the stream as an argument, so no closure is made per read.
  const timer = setTimeout(onTimeout, timeout, body)
  body[READING] = { chunks: [], received: 0, limit, length: Number.isSafeInteger(declared) ? declared : -1, timeout, timer, done }
  // on(), not once(): once() wraps each listener in a new closure and removes it when it fires;
  // every listener here does nothing once the read has settled.
  body.on('data', onData)
  body.on('end', onEnd)
  body.on('error', onError)
  body.on('close', onClose)
}
