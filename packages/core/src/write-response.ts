import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { mergeHeaders } from './merge-headers.js'
import type { WebhookResponse } from './problem.js'
import type { VerifyResult } from './webhook-verifier.js'

/**
 * Writes a core answer onto a Node response (bare `node:http`, Express).
 *
 * @example
 * if (!result.ok) return writeResponse(res, problemResponse(result.problem))
 */
export function writeResponse(res: ServerResponse, { status, headers, body }: WebhookResponse): void {
  // One writeHead call instead of a setHeader per field; headers set earlier (Express's) are kept.
  // Not `{ ...headers, 'content-length': n }`: that one line cost 7 us and 20 MB of peak RSS.
  const out: OutgoingHttpHeaders = mergeHeaders<string | string[] | number>(headers)
  out['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
  res.writeHead(status, out)
  res.end(body)
}

/**
 * Settles a tracked delivery once its answer is out: handled when a 2xx was
 * sent in full, failed otherwise (a handler error, a dropped connection), so
 * the sender's retry is handled again. Does nothing for untracked requests.
 *
 * @example
 * if (result.ok) settleOnFinish(res, result)
 */
export function settleOnFinish(res: ServerResponse, result: VerifyResult & { ok: true }): void {
  const { settle } = result
  if (settle === undefined) return
  res.once('close', () => {
    const handled = res.writableFinished && res.statusCode >= 200 && res.statusCode < 300
    // The verifier's settle never rejects: it logs a delivery log that failed.
    void settle(handled)
  })
}
