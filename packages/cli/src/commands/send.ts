import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { type SendResult, createClient } from '@webhook-trigger/client'
import { type AuthFlags, outboundAuth } from '../auth.js'
import { configOption, duration, httpUrl, integer, option, outboundAuthOptions } from '../options.js'
import { progressBar, summarize, summaryLine } from '../send-summary.js'
import { UsageError } from '../usage-error.js'

interface SendFlags extends AuthFlags {
  url?: string
  event?: string
  data?: string
  idempotencyKey?: string
  repeat: number
  concurrency: number
  retries: number
  timeout: number
  json?: boolean
}

/** Exit codes: the worst outcome of the sends. */
const EXIT = { delivered: 0, rejected: 1, failed: 2 } as const

const EXAMPLES = `
Examples:
  $ API_TOKEN=... webhook-trigger send --url http://localhost:3000/webhook --tenant tenant123 --token-env API_TOKEN \\
      --event customer_update --data '{"id":"1234","status":"active"}'

  # The data from a file, Bearer, machine-readable output
  $ webhook-trigger send --url http://localhost:3000/webhook --bearer-env API_TOKEN --event order.paid --data @order.json --json

  # A small load test: 1000 events, 20 at a time, then a summary (req/s, p50/p99)
  $ webhook-trigger send --url http://localhost:3000/webhook --bearer-env API_TOKEN --event ping --data '{}' --repeat 1000 --concurrency 20

Exit status: 0 delivered, 1 rejected (a final 4xx), 2 failed after retries, 64 bad flags. With --repeat, the worst of all sends.
`

function readData(given: string | undefined): Record<string, unknown> {
  if (given === undefined) throw new UsageError("send needs --data '<json>' or --data @file.json")
  let text = given
  if (given.startsWith('@')) {
    try {
      text = readFileSync(given.slice(1), 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read --data ${given}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
    }
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--data is not JSON: ${(error as Error).message}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--data must be a JSON object, e.g. \'{"id":"1234"}\'')
  return data as Record<string, unknown>
}

export function resultLine(result: SendResult, ms: number): string {
  const took = `${Math.round(ms)} ms, ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}, idempotency key ${result.idempotencyKey}`
  if (result.outcome === 'delivered') return `delivered ${result.status} (${took})`
  if (result.outcome === 'rejected') {
    const { code, detail, title } = result.problem ?? {}
    return `rejected ${result.status} ${code ?? ''}${code === undefined ? '' : ': '}${detail ?? title ?? '(no problem details)'} (${took})`
  }
  return `failed: ${result.error} (${took})`
}

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
  command
    .addOption(option('--repeat <n>', 'send the event n times').argParser(integer(1, 10_000_000)).default(1))
    .addOption(option('--concurrency <n>', 'sends in flight at once with --repeat').argParser(integer(1, 10_000)).default(1))
    .addOption(option('--retries <n>', 'retries after the first attempt').argParser(integer(0, 100)).default(3))
    .addOption(option('--timeout <duration>', 'time allowed for each attempt').argParser(duration).default(15_000, '15s'))
    .addOption(option('--json', 'print JSON: the result, or the summary with --repeat'))
  configOption(command)
  return command.addHelpText('after', EXAMPLES).action(async (flags: SendFlags) => {
    if (flags.url === undefined) throw new UsageError('send needs --url <url>, the inbound webhook URL')
    if (flags.event === undefined || flags.event === '') throw new UsageError('send needs --event <name>')
    const { event } = flags
    const data = readData(flags.data)
    const client = createClient({ url: flags.url, auth: outboundAuth(flags, '--url'), timeout: flags.timeout, retry: { retries: flags.retries } })
    const options = flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }
    const sendOne = async () => {
      const started = performance.now()
      const result = await client.send(event, data, options)
      return { result, ms: performance.now() - started }
    }

    if (flags.repeat === 1) {
      const { result, ms } = await sendOne()
      console.log(flags.json ? JSON.stringify(result) : resultLine(result, ms))
      process.exitCode = EXIT[result.outcome]
      return
    }

    const results: Array<{ result: SendResult; ms: number }> = []
    const bar = progressBar(flags.repeat, !flags.json)
    let next = 0
    const started = performance.now()
    const worker = async () => {
      while (next < flags.repeat) {
        next++
        results.push(await sendOne())
        bar.tick(results.length)
      }
    }
    await Promise.all(Array.from({ length: Math.min(flags.concurrency, flags.repeat) }, worker))
    bar.end()
    const summary = summarize(results, (performance.now() - started) / 1000)
    console.log(flags.json ? JSON.stringify(summary) : summaryLine(summary))
    const problem = results.find(({ result }) => result.outcome !== 'delivered')
    if (problem !== undefined && !flags.json) console.error(`first not delivered: ${resultLine(problem.result, problem.ms)}`)
    process.exitCode = summary.failed > 0 ? EXIT.failed : summary.rejected > 0 ? EXIT.rejected : EXIT.delivered
  })
}
