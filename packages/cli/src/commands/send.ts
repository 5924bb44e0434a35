import { Command } from 'commander'
import { configOption, duration, httpUrl, integer, option, outboundAuthOptions, secretOptions } from '../options.js'
import type { SendFlags } from '../run/send.js'

const EXAMPLES = `
Examples:
  $ API_TOKEN=... webhook-trigger send --url http://localhost:3000/webhook --tenant tenant123 --token-env API_TOKEN \\
      --event customer_update --data '{"id":"1234","status":"active"}'

  # Signed the Standard Webhooks way instead (webhook-id, webhook-timestamp, webhook-signature)
  $ webhook-trigger send --url http://localhost:3000/webhook/signed --secret-env WEBHOOK_SECRET --event customer_update --data '{"id":"1234"}'

  # The data from a file, Bearer, machine-readable output
  $ webhook-trigger send --url http://localhost:3000/webhook --bearer-env API_TOKEN --event order.paid --data @order.json --json

  # A small load test: 1000 events, 20 at a time, then a summary (req/s, p50/p99)
  $ webhook-trigger send --url http://localhost:3000/webhook --bearer-env API_TOKEN --event ping --data '{}' --repeat 1000 --concurrency 20

Exit status: 0 delivered, 1 rejected (a final 4xx), 2 failed after retries, 64 bad flags. With --repeat, the worst of all sends.
`

/** `send`: one authenticated webhook (or many, with --repeat) through the client, with retries. */
export function sendCommand(): Command {
  const command = new Command('send')
    .summary('send an authenticated webhook, with retries')
    .description('Sends { event, data } to --url with credentials attached and an Idempotency-Key, retrying network errors, 5xx, 408 and 429 (honouring Retry-After). Prints one line per result, or JSON with --json.')
    .addOption(option('--url <url>', 'the inbound webhook URL').argParser(httpUrl))
    .addOption(option('-e, --event <name>', 'event name, e.g. customer_update'))
    .addOption(option('-d, --data <json>', "the event's data: a JSON object, or @file.json"))
    .addOption(option('--idempotency-key <key>', 'Idempotency-Key header').default(undefined, 'a new UUID per event'))
  outboundAuthOptions(command, '--url')
  secretOptions(command, 'secret', 'a Standard Webhooks secret (whsec_...) to sign each attempt with')
  command
    .addOption(option('--repeat <n>', 'send the event n times').argParser(integer(1, 10_000_000)).default(1))
    .addOption(option('--concurrency <n>', 'sends in flight at once with --repeat').argParser(integer(1, 10_000)).default(1))
    .addOption(option('--retries <n>', 'retries after the first attempt').argParser(integer(0, 100)).default(3))
    .addOption(option('--timeout <duration>', 'time allowed for each attempt').argParser(duration).default(15_000, '15s'))
    .addOption(option('--json', 'print JSON: the result, or the summary with --repeat'))
  configOption(command)
  return command.addHelpText('after', EXAMPLES).action(async (flags: SendFlags) => (await import('../run/send.js')).runSend(flags))
}
