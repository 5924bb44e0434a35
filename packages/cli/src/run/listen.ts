import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import {
  type ForwardHandler,
  type VerifiedWebhook,
  type VerifyResult,
  type WebhookResponse,
  acceptedResponse,
  createForwardHandler,
  createWebhookVerifier,
  nodeRequest,
  settleOnFinish,
  writeResponse,
} from '@webhook-trigger/core'
import { type AuthFlags, build } from '../auth.js'
import { inboundSchemes } from '../inbound-auth.js'
import { closeServer, serve, shown, stopOnSignals } from '../serve.js'

export interface ListenFlags extends AuthFlags {
  forwardTo?: string
  path: string
  port: number
  host?: string
}

const data = (hook: VerifiedWebhook) => JSON.stringify(hook.data) ?? 'null'

/** ` upstream.unreachable` when the forwarder answered with a problem of its own, else "". */
function problemCode(response: WebhookResponse): string {
  if (response.headers['content-type'] !== 'application/problem+json') return ''
  try {
    const { code } = JSON.parse(String(response.body)) as { code?: unknown }
    return typeof code === 'string' ? ` ${code}` : ''
  } catch {
    return ''
  }
}

/** The verifier's answer, or the forwarder's, or a plain 202: what the sender gets. */
function respond(res: ServerResponse, response: WebhookResponse): void {
  if (!res.headersSent) writeResponse(res, response)
}

/** `listen`, once its flags are parsed. */
export async function runListen(flags: ListenFlags): Promise<void> {
  const { path, forwardTo } = flags
  const verifier = build(() => createWebhookVerifier({ path, auth: inboundSchemes(flags) }, 'listen'))
  const relay: ForwardHandler | undefined = forwardTo === undefined ? undefined : build(() => createForwardHandler({ to: forwardTo }, 'listen --forward-to'))
  const time = () => new Date().toISOString()

  const accepted = (req: IncomingMessage, res: ServerResponse, result: VerifyResult & { ok: true }) => {
    const hook = result.webhook
    console.log(`${hook.receivedAt.toISOString()} accepted tenant=${hook.tenant} event=${hook.event} id=${hook.id} data=${data(hook)}`)
    settleOnFinish(res, result)
    if (relay === undefined) return respond(res, acceptedResponse(hook))
    relay.handle(nodeRequest(req, undefined, undefined, hook)).then(
      (response) => {
        console.log(`${time()} forwarded id=${hook.id} -> ${response.status}${problemCode(response)}`)
        respond(res, response)
      },
      (error: unknown) => {
        console.error(`${time()} forwarding id=${hook.id} failed: ${error instanceof Error ? error.message : String(error)}`)
        respond(res, { status: 502, headers: {}, body: '' })
      },
    )
  }

  const server = createServer((req, res) => {
    if (!verifier.handles(req.url)) return void res.writeHead(404).end()
    verifier.verify(nodeRequest(req), (error, result) => {
      if (error !== null) {
        console.error(`${time()} error: ${error.message}`)
        return respond(res, { status: 500, headers: {}, body: '' })
      }
      if (result.ok) return accepted(req, res, result)
      const { problem } = result
      if (problem !== undefined) console.log(`${time()} refused ${problem.status} ${problem.code}: ${problem.detail}`)
      else console.log(`${time()} replay answered ${result.response.status}`)
      respond(res, result.response)
    })
  })
  // Before listening: a signal that comes right after the "listening on" line must find its handler.
  stopOnSignals(async () => {
    await closeServer(server)
    await relay?.close()
  })
  await serve('listen', server, flags, flags.path)
  if (flags.forwardTo !== undefined) console.log(`forwarding accepted events to ${shown(flags.forwardTo)}`)
}
