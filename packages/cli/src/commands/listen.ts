import { Command } from 'commander'
import { configOption, httpUrl, option, secretOptions, serverOptions, urlPath } from '../options.js'
import type { ListenFlags } from '../run/listen.js'

const EXAMPLES = `
Examples:
  # Accept the README's curl commands (HTTP Basic or Bearer) and print each event
  $ API_TOKEN=api_token_abc123 webhook-trigger listen --tenant tenant123 --token-env API_TOKEN

  # Standard Webhooks signatures, each accepted event relayed to your app (its answer goes back to the sender)
  $ webhook-trigger listen --secret-env WEBHOOK_SECRET --forward-to http://localhost:8080/webhooks
`

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
  return command.addHelpText('after', EXAMPLES).action(async (flags: ListenFlags) => (await import('../run/listen.js')).runListen(flags))
}
