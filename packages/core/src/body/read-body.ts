import type { Readable } from 'node:stream'
import getRawBody from 'raw-body'
import { type Problem, problem } from '../problem.js'

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; problem: Problem }


/** A size problem, phrased the same whether Content-Length or the stream told us. */
export function tooLarge(limit: number): Problem {
  return problem('payload.too_large', `The body exceeds the ${limit}-byte limit.`)
}

function isRawBodyError(error: unknown): error is Error & { type: string } {
  return error instanceof Error && typeof (error as { type?: unknown }).type === 'string'
}

/**
 * Reads the whole body, stopping as soon as it passes `limit`. When a
 * Content-Length is declared, the caller has already compared it with the limit.
 */
export async function readBody(stream: Readable, limit: number, length: string | undefined): Promise<ReadResult> {
  try {
    return { ok: true, bytes: await getRawBody(stream, { limit, length }) }
  } catch (error) {
    if (!isRawBodyError(error)) throw error
    switch (error.type) {
      case 'entity.too.large':
        return { ok: false, problem: tooLarge(limit) }
      case 'request.aborted':
      case 'request.size.invalid':
        return { ok: false, problem: problem('payload.incomplete', 'The body ended before its declared length.') }
      default:
        throw error
    }
  }
}
