import type { ServerResponse } from 'node:http'
import type { WebhookResponse } from './problem.js'

/**
 * Writes a core answer onto a Node response (bare `node:http`, Express).
 *
 * @example
 * if (!result.ok) return writeResponse(res, problemResponse(result.problem))
 */
export function writeResponse(res: ServerResponse, { status, headers, body }: WebhookResponse): void {
  res.statusCode = status
  for (const name in headers) res.setHeader(name, headers[name]!)
  res.setHeader('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)
  res.end(body)
}
