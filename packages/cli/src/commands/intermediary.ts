import { Command } from 'commander'
import { configOption, duration, durations, httpUrl, integer, option, outboundAuthOptions, secretOptions, serverOptions, urlPath } from '../options.js'
import type { IntermediaryFlags } from '../run/intermediary.js'

const EXAMPLES = `
Examples:
  # A CRM posts its own JSON with X-Api-Key; transform.mjs maps it to { event, data }, delivered durably with HTTP Basic
  $ CRM_KEY=... API_TOKEN=... webhook-trigger intermediary --to https://api.example.com/webhook \\
      --tenant tenant123 --token-env API_TOKEN --inbound-key-env CRM_KEY --transform ./transform.mjs

  # transform.mjs:
  #   export default (webhook) => ({ event: 'customer_update', data: { id: webhook.payload.contact.id } })

  # Standard Webhooks signatures inbound, a Redis outbox shared by several instances, the admin API on /admin
  $ webhook-trigger intermediary --to https://api.example.com/webhook --bearer-env API_TOKEN \\
      --secret-env WEBHOOK_SECRET --outbox redis://127.0.0.1:6379 --admin-token-env ADMIN_TOKEN
`

/** `intermediary`: receive a third party's webhook, verify it, transform it, answer 202 once stored, deliver with retries. */
export function intermediaryCommand(): Command {
  const command = new Command('intermediary')
    .summary('receive, transform and deliver durably (202 once stored)')
    .description('Receives a third party\'s webhook, verifies it (X-Api-Key or Standard Webhooks), maps it with --transform, answers 202 once it is stored in the outbox, and delivers it to --to with credentials attached, retrying for hours. Failed events are kept as dead; the admin API lists and redelivers them.')
    .addOption(option('--to <url>', 'the inbound webhook URL to deliver to').argParser(httpUrl))
    .addOption(option('--transform <module>', 'module whose default export maps (webhook) => { event, data }; webhook.payload is the sender\'s JSON').default(undefined, 'none: the body must already be { event, data }'))
  outboundAuthOptions(command, 'the upstream')
  secretOptions(command, 'inbound-key', 'the key senders put in X-Api-Key')
  secretOptions(command, 'secret', 'the Standard Webhooks secret senders sign with (whsec_...)')
  command
    .addOption(option('--outbox <store>', 'sqlite:<path>, or redis://host:port for several instances').default('sqlite:.webhook-trigger/outbox.sqlite'))
    .addOption(option('--queue <name>', 'queue name in Redis').default('webhook-trigger'))
  secretOptions(command, 'admin-token', 'the Bearer token of the admin API, mounted on /admin when given')
  command
    .addOption(option('--retry-delays <list>', 'wait before each retry, e.g. 5s,5m,30m').argParser(durations).default(undefined, 'Standard Webhooks, 5s to 10h'))
    .addOption(option('--lease <duration>', 'how long a delivery may take before another worker retries it').argParser(duration).default(undefined, '30s'))
    .addOption(option('--concurrency <n>', 'deliveries in flight at once').argParser(integer(1, 1000)).default(undefined, '8'))
    .addOption(option('--path <path>', 'path senders post to').argParser(urlPath).default('/webhook'))
  serverOptions(command, 3002)
  configOption(command)
  return command.addHelpText('after', EXAMPLES).action(async (flags: IntermediaryFlags) => (await import('../run/intermediary.js')).runIntermediary(flags))
}
