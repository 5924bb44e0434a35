import type { VerifiedWebhook } from '@webhook-trigger/core'
import type { Start } from './conformance.js'
import { type RunningExample, runExample } from './run-example.js'
import type { WebhookRecord } from './scenario-server.js'

export interface RemoteHost {
  /** A harness for the conformance suite: each call mounts the named scenario on a new server in the child process. */
  start: Start
  /** Stops the child process. */
  stop(): Promise<void>
}

const revive = (record: WebhookRecord): VerifiedWebhook => ({
  ...record,
  rawBody: record.rawBody === null ? undefined : Buffer.from(record.rawBody, 'base64'),
  receivedAt: new Date(record.receivedAt),
})

/**
 * One process running `command` in `dir` (a scenario server, see
 * scenario-server.ts, that prints "listening on <url>"), started at the
 * first mount and shared by every describe block of the file: the suite
 * runs unchanged, with names crossing the process boundary instead of options.
 */
export function remoteHost(dir: string, command: string[]): RemoteHost {
  let child: Promise<RunningExample> | undefined
  const control = async (path: string, body?: object): Promise<Response> => {
    child ??= runExample(dir, {}, { command, timeoutMs: 30_000 })
    const { url } = await child
    const response = await fetch(new URL(path, url), body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })
    if (!response.ok) throw new Error(`${command.join(' ')}: ${path} answered ${response.status} ${await response.text()}`)
    return response
  }

  const start: Start = async ({ scenario, mount = 'handler', parser = 'none' }) => {
    if (scenario === undefined) throw new TypeError('remoteHost(): the suite must name a scenario (scenarios.ts); options cannot cross a process boundary')
    if (parser !== 'none') throw new TypeError(`remoteHost(): a Fetch host has no body parser to mount ("${parser}")`)
    const { id, port } = (await (await control('/start', { scenario, mount })).json()) as { id: string; port: number }
    return {
      url: `http://127.0.0.1:${port}`,
      // A suite that reads `calls` directly would see a stale list and fail by one, far from the cause.
      get calls(): VerifiedWebhook[] {
        throw new Error(`${command.join(' ')}: the handler runs in another process; read what it saw with \`await seen(app)\`, not app.calls`)
      },
      sync: async () => ((await (await control(`/calls/${id}`)).json()) as WebhookRecord[]).map(revive),
      close: async () => void (await control(`/close/${id}`, {})),
    }
  }

  return {
    start,
    stop: async () => {
      // A child that never started has nothing to stop; its start already failed the suite.
      await child?.then((running) => running.stop(), () => undefined)
    },
  }
}
