import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { Command } from 'commander'
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
import { type AuthFlags, inboundSchemes } from '../auth.js'
import { configOption, httpUrl, option, secretOptions, serverOptions, urlPath } from '../options.js'
import { closeServer, serve, shown, stopOnSignals } from '../serve.js'

interface ListenFlags extends AuthFlags {
  forwardTo?: string
  path: string
  port: number
  host?: string
}

const EXAMPLES = `
Examples:
  # Accept the README's curl commands (HTTP Basic or Bearer) and print each event
  $ API_TOKEN=api_token_abc123 webhook-trigger listen --tenant tenant123 --token-env API_TOKEN

  # Standard Webhooks signatures, each accepted event relayed to your app (its answer goes back to the sender)
  $ webhook-trigger listen --secret-env WEBHOOK_SECRET --forward-to http://localhost:8080/webhooks
`

const data = (hook: VerifiedWebhook) => JSON.stringify(hook.data) ?? 'null'

/** The verifier's answer, or the forwarder's, or a plain 202: what the sender gets. */
function respond(res: ServerResponse, response: WebhookResponse): void {
  if (!res.headersSent) writeResponse(res, response)
}

/** `listen`: a local receiver that verifies like the middleware and prints what arrives. */
export function listenCommand(): Command {
  const command = new Command('listen')
    .summary('a local receiver that prints each event (and can forward it)')
    .description('A local inbound webhook: verifies each request like the middleware, prints each accepted event (time, tenant, event, id, data) and each refusal with its problem code. With --forward-to, relays each accepted event to your app and answers with its answer.')
    .addOption(option('--tenant <id>', 'tenant ID the token belongs to').default(undefined, 'local'))
    .addOption(option('--header <name>', 'accept the token in this header instead of Basic or Bearer'))
  secretOptions(command, 'token', 'the API token senders present (Basic or Bearer)')
  secretOptions(command, 'secret', 'the Standard Webhooks secret senders sign with (whsec_...)')
  command
    .addOption(option('--forward-to <url>', 'relay each accepted event to this URL').argParser(httpUrl))
    .addOption(option('--path <path>', 'path to receive on').argParser(urlPath).default('/webhook'))
  serverOptions(command, 3000)
  configOption(command)
  return command.addHelpText('after', EXAMPLES).action(async (flags: ListenFlags) => {
    const verifier = createWebhookVerifier({ path: flags.path, auth: inboundSchemes(flags) }, 'listen')
    const relay: ForwardHandler | undefined = flags.forwardTo === undefined ? undefined : createForwardHandler({ to: flags.forwardTo }, 'listen --forward-to')
    const time = () => new Date().toISOString()

    const accepted = (req: IncomingMessage, res: ServerResponse, result: VerifyResult & { ok: true }) => {
      const hook = result.webhook
      console.log(`${hook.receivedAt.toISOString()} accepted tenant=${hook.tenant} event=${hook.event} id=${hook.id} data=${data(hook)}`)
      settleOnFinish(res, result)
      if (relay === undefined) return respond(res, acceptedResponse(hook))
      relay.handle(nodeRequest(req, undefined, undefined, hook)).then(
        (response) => {
          console.log(`${time()} forwarded id=${hook.id} -> ${response.status}`)
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
    await serve('listen', server, flags, flags.path)
    if (flags.forwardTo !== undefined) console.log(`forwarding accepted events to ${shown(flags.forwardTo)}`)
    stopOnSignals(async () => {
      await closeServer(server)
      await relay?.close()
    })
  })
}
