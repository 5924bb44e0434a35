import { readFileSync } from 'node:fs'
import { type SendResult, createClient, standardWebhooksSigner } from '@webhook-trigger/client'
import { type AuthFlags, build, outboundAuth } from '../auth.js'
import { readSecret } from '../secrets.js'
import { progressBar, summarize, summaryLine } from '../send-summary.js'
import { UsageError } from '../usage-error.js'

export interface SendFlags extends AuthFlags {
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

function resultLine(result: SendResult, ms: number): string {
  const took = `${Math.round(ms)} ms, ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}, idempotency key ${result.idempotencyKey}`
  if (result.outcome === 'delivered') return `delivered ${result.status} (${took})`
  if (result.outcome === 'rejected') {
    const { code, detail, title } = result.problem ?? {}
    return `rejected ${result.status} ${code ?? ''}${code === undefined ? '' : ': '}${detail ?? title ?? '(no problem details)'} (${took})`
  }
  return `failed: ${result.error} (${took})`
}

/** `send`, once its flags are parsed. */
export async function runSend(flags: SendFlags): Promise<void> {
  if (flags.url === undefined) throw new UsageError('send needs --url <url>, the inbound webhook URL')
  if (flags.event === undefined || flags.event === '') throw new UsageError('send needs --event <name>')
  const { event } = flags
  const data = readData(flags.data)
  const secret = readSecret('secret', { env: flags.secretEnv, file: flags.secretFile })
  const sign = secret === undefined ? undefined : build(() => standardWebhooksSigner(secret))
  // A signature is credentials enough; Basic, Bearer or a header may come with it.
  const credentialsGiven = [flags.tenant, flags.header, flags.tokenEnv, flags.tokenFile, flags.bearerEnv, flags.bearerFile].some((flag) => flag !== undefined)
  const auth = sign !== undefined && !credentialsGiven ? undefined : outboundAuth(flags, '--url')
  const { url, timeout, retries } = flags
  const client = build(() => createClient({ url, ...(auth && { auth }), ...(sign && { sign }), timeout, retry: { retries } }))
  const stop = stopOnSignal()
  const options = { signal: stop.signal, ...(flags.idempotencyKey !== undefined && { idempotencyKey: flags.idempotencyKey }) }
  /** One send and its latency, or undefined when a signal cut it short. */
  const sendOne = async () => {
    const started = performance.now()
    try {
      const result = await client.send(event, data, options)
      return { result, ms: performance.now() - started }
    } catch (error) {
      if (stop.signal.aborted) return undefined
      throw error
    }
  }

  if (flags.repeat === 1) {
    const sent = await sendOne()
    stop.done()
    if (sent === undefined) return stop.report()
    console.log(flags.json ? JSON.stringify(sent.result) : resultLine(sent.result, sent.ms))
    process.exitCode = EXIT[sent.result.outcome]
    return
  }

  const results: Array<{ result: SendResult; ms: number }> = []
  const bar = progressBar(flags.repeat, !flags.json)
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < flags.repeat && !stop.signal.aborted) {
      next++
      const sent = await sendOne()
      if (sent === undefined) return
      results.push(sent)
      bar.tick(results.length)
    }
  }
  await Promise.all(Array.from({ length: Math.min(flags.concurrency, flags.repeat) }, worker))
  stop.done()
  bar.end()
  const summary = summarize(results, (performance.now() - started) / 1000)
  console.log(flags.json ? JSON.stringify(summary) : summaryLine(summary))
  const problem = results.find(({ result }) => result.outcome !== 'delivered')
  if (problem !== undefined && !flags.json) console.error(`first not delivered: ${resultLine(problem.result, problem.ms)}`)
  process.exitCode = summary.failed > 0 ? EXIT.failed : summary.rejected > 0 ? EXIT.rejected : EXIT.delivered
  if (stop.signal.aborted) stop.report(`after ${results.length} of ${flags.repeat}`)
}

/**
 * SIGINT or SIGTERM aborts the sends in flight (and any wait between retries)
 * and stops new ones: what was sent is still summarized, and the exit code is
 * the shell's 128 + the signal's number.
 */
function stopOnSignal() {
  const controller = new AbortController()
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    received = signal
    controller.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    done() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
    report(what = '') {
      console.error(`stopped by ${received}${what === '' ? '' : ` ${what}`}`)
      process.exitCode = 128 + (received === 'SIGINT' ? 2 : 15)
    },
  }
}
