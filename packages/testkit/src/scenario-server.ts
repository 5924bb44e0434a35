// The conformance suite's host in another process, for runtimes the test
// runner does not run in (Bun, Deno): a control server that mounts a named
// scenario on a server of its own per request of the suite, and reports
// what its handler saw. remote-host.ts is the other end. Web-standard only
// (Request, Response, fetch handlers), no vitest.
import type { VerifiedWebhook, WebhookOptions } from '@webhook-trigger/core'
import type { Mount } from './conformance.js'
import { scenarioOptions } from './scenarios.js'

export type FetchLike = (request: Request, host?: unknown) => Promise<Response>

/** Serves `fetch` on a free loopback port, the runtime's way. */
export type ListenOn = (fetch: FetchLike) => Promise<{ port: number; close: () => Promise<void> }>

/** Mounts `options` as the host under test would, calling `record` with every webhook its handler (or next route) sees. */
export type MountApp = (options: WebhookOptions, mount: Mount, record: (webhook: VerifiedWebhook) => void) => FetchLike

/** A verified webhook as JSON: the raw bytes in base64, the time as ISO 8601. */
export type WebhookRecord = Omit<VerifiedWebhook, 'rawBody' | 'receivedAt'> & { rawBody: string | null; receivedAt: string }

const toBase64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''))

function recordOf(webhook: VerifiedWebhook): WebhookRecord {
  return { ...webhook, rawBody: webhook.rawBody === undefined ? null : toBase64(webhook.rawBody), receivedAt: webhook.receivedAt.toISOString() }
}

/**
 * The control server's fetch handler:
 * - `POST /start` with `{ scenario, mount }` answers `{ id, port }` of a new server mounting it;
 * - `GET /calls/<id>` answers the webhooks it saw, as {@link WebhookRecord}s;
 * - `POST /close/<id>` closes it.
 */
export function scenarioServer(listen: ListenOn, app: MountApp): FetchLike {
  const mounted = new Map<string, { records: WebhookRecord[]; close(): Promise<void> }>()
  let next = 0
  return async function control(request: Request): Promise<Response> {
    const [, action, id = ''] = new URL(request.url).pathname.split('/')
    try {
      if (action === 'start' && request.method === 'POST') {
        const { scenario, mount = 'handler' } = (await request.json()) as { scenario: string; mount?: Mount }
        const records: WebhookRecord[] = []
        const server = await listen(app(scenarioOptions(scenario), mount, (webhook) => void records.push(recordOf(webhook))))
        const key = String(++next)
        mounted.set(key, { records, close: () => server.close() })
        return Response.json({ id: key, port: server.port })
      }
      const found = mounted.get(id)
      if (found === undefined) return Response.json({ error: `no server ${action ?? ''}/${id}` }, { status: 404 })
      if (action === 'calls') return Response.json(found.records)
      if (action === 'close' && request.method === 'POST') {
        mounted.delete(id)
        await found.close()
        return new Response(null, { status: 204 })
      }
      return Response.json({ error: `no action ${action ?? ''}` }, { status: 404 })
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 })
    }
  }
}
