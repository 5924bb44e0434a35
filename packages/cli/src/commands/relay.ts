import { Command } from 'commander'
import { configOption, httpUrl, option, outboundAuthOptions, serverOptions, urlPath } from '../options.js'
import type { RelayFlags } from '../run/relay.js'

const EXAMPLES = `
Examples:
  # Every POST to http://localhost:3001/webhook goes to the inbound webhook with HTTP Basic attached
  $ API_TOKEN=... webhook-trigger relay --to https://api.example.com/webhook --tenant tenant123 --token-env API_TOKEN

  # Bearer instead, on another port and path
  $ webhook-trigger relay --to https://api.example.com/webhook --bearer-env API_TOKEN --port 8080 --path /hooks/crm
`

/** `relay`: a proxy that forwards each POST byte for byte with credentials attached, answering with the upstream's answer. */
export function relayCommand(): Command {
  const command = new Command('relay')
    .summary('forward webhooks to the inbound URL with credentials attached')
    .description('Receives webhooks and forwards each one, byte for byte, to --to with credentials attached; answers with the upstream\'s answer. One log line per forwarded request.')
    .addOption(option('--to <url>', 'the inbound webhook URL to forward to').argParser(httpUrl))
    .addOption(option('--path <path>', 'path that is forwarded').argParser(urlPath).default('/webhook'))
  outboundAuthOptions(command, 'the upstream')
  serverOptions(command, 3001)
  configOption(command)
  return command.addHelpText('after', EXAMPLES).action(async (flags: RelayFlags) => (await import('../run/relay.js')).runRelay(flags))
}
