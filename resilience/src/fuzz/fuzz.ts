import { performance } from 'node:perf_hooks'
import { MUTATIONS, MUTATION_NAMES } from './mutations.js'
import { randomFor } from './random.js'
import { type BaseRequest, intermediaryRequest, receiverRequest } from './requests.js'
import { type Outcome, sendRaw } from './send-raw.js'
import { type TargetProcess, scratchDirectory, startExample, startSink } from '../targets.js'

export interface FuzzOptions {
  /** Same seed, same requests. */
  seed: number
  /** How many requests in all, shared between the targets. */
  requests: number
  /** @default 64 */
  concurrency?: number
  /**
   * How long one request may go without an answer or a close. Above the
   * examples' own bounds (the whole request within 30 s, checked every
   * second; the body within `bodyTimeoutMs`), so only a real hang trips it:
   * Express answers 404 to an unknown path only once the body has ended, so
   * a short body there waits for the request timeout.
   * @default 35000
   */
  deadlineMs?: number
  /** The targets' bodyTimeout, short so that truncated bodies do not slow the run. @default 1000 */
  bodyTimeoutMs?: number
  /** Stop sending new requests after this long, even if fewer than `requests` went out. @default no limit */
  maxDurationMs?: number
  /** Called about every `progressMs` with the report so far. */
  onProgress?: (report: FuzzReport) => void
  /** @default 10000 */
  progressMs?: number
}

export interface Failure {
  target: string
  /** The request's index in the run: `(seed, index)` rebuilds it. */
  index?: number
  mutation?: string
  what: string
  /** The first bytes of the request, base64. */
  request?: string
}

export interface FuzzReport {
  seed: number
  sent: number
  durationMs: number
  /** Per target: how many requests ended in each status, or `closed` (no answer), `hang`, `refused`. */
  counts: Record<string, Record<string, number>>
  /** Per mutation: how many requests it made. */
  mutations: Record<string, number>
  failures: Failure[]
  /** A server process that exited during the run, with its exit code or signal and last lines: always reported. */
  crashes: string[]
}

interface Target {
  name: string
  base: BaseRequest
  process: TargetProcess
}

const MAX_FAILURES = 50

function keyOf(outcome: Outcome): string {
  return outcome.kind === 'status' ? String(outcome.status) : outcome.kind
}

/** A 5xx, a hang, a refused connection or an answer that is not HTTP. */
function failed(outcome: Outcome): string | undefined {
  if (outcome.kind === 'status') return outcome.status >= 500 || outcome.status < 100 ? `answered ${outcome.status}` : undefined
  if (outcome.kind === 'hang') return 'no answer and no close before the deadline'
  if (outcome.kind === 'refused') return `connection refused (${outcome.message})`
  return undefined
}

/**
 * Sends `requests` mutated requests over raw sockets to the Express receiver
 * example and the intermediary example (SQLite outbox in a scratch
 * directory, delivering to a local sink), each in its own process, and
 * counts every outcome. Any 5xx, hang, refused connection or process exit
 * is a failure.
 *
 * @example
 * const report = await fuzz({ seed: 1, requests: 2000 })
 * if (report.failures.length > 0) process.exitCode = 1
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { seed, requests, concurrency = 64, deadlineMs = 35_000, bodyTimeoutMs = 1000, progressMs = 10_000, maxDurationMs = Infinity } = options
  const scratch = scratchDirectory()
  const sink = await startSink()
  const env = { BODY_TIMEOUT_MS: String(bodyTimeoutMs), NODE_ENV: 'production' }
  const started: TargetProcess[] = []
  const report: FuzzReport = { seed, sent: 0, durationMs: 0, counts: {}, mutations: {}, failures: [], crashes: [] }
  const fail = (failure: Failure) => report.failures.length < MAX_FAILURES && report.failures.push(failure)
  try {
    const receiver = await startExample('express-receiver', 'express-receiver', env)
    started.push(receiver)
    const intermediary = await startExample('intermediary', 'intermediary', {
      ...env,
      OUTBOX_PATH: `${scratch.path}/outbox.sqlite`,
      TARGET_URL: sink.url,
    })
    started.push(intermediary)
    const targets: Target[] = [
      { name: receiver.name, base: receiverRequest, process: receiver },
      { name: intermediary.name, base: intermediaryRequest, process: intermediary },
    ]
    for (const { name } of targets) report.counts[name] = {}

    const began = performance.now()
    let next = 0
    let stopped = false
    const progress = setInterval(() => {
      report.durationMs = performance.now() - began
      options.onProgress?.(report)
    }, progressMs)
    const worker = async () => {
      while (!stopped && next < requests && performance.now() - began < maxDurationMs) {
        const index = next++
        const target = targets[index % targets.length]!
        const rng = randomFor(seed, index)
        // One in ten requests is left valid: the targets must keep accepting while under attack.
        const mutation = rng.chance(0.1) ? 'valid' : rng.pick(MUTATION_NAMES)
        const bytes = MUTATIONS[mutation]!(target.base(rng), rng)
        const outcome = await sendRaw(target.process.port, bytes, deadlineMs)
        report.sent++
        const counts = report.counts[target.name]!
        counts[keyOf(outcome)] = (counts[keyOf(outcome)] ?? 0) + 1
        report.mutations[mutation] = (report.mutations[mutation] ?? 0) + 1
        const why = failed(outcome)
        if (why !== undefined) fail({ target: target.name, index, mutation, what: why, request: bytes.subarray(0, 600).toString('base64') })
        for (const { process } of targets) {
          const crash = process.crashed()
          if (crash !== undefined && !stopped) {
            stopped = true
            report.crashes.push(crash)
          }
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    clearInterval(progress)
    report.durationMs = performance.now() - began
    return report
  } finally {
    for (const target of started) await target.stop()
    await sink.close()
    scratch.remove()
  }
}

/** The report as a few lines: counts per target and status, then the failures. */
export function formatReport(report: FuzzReport): string {
  const lines = [`fuzz seed=${report.seed}: ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s (${Math.round(report.sent / (report.durationMs / 1000))}/s)`]
  for (const [target, counts] of Object.entries(report.counts)) {
    const sorted = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))
    lines.push(`  ${target}: ${sorted.map(([status, count]) => `${status}=${count}`).join(' ')}`)
  }
  lines.push(`  mutations: ${Object.entries(report.mutations).map(([name, count]) => `${name}=${count}`).join(' ')}`)
  for (const crash of report.crashes) lines.push(`  CRASH: ${crash}`)
  lines.push(report.failures.length === 0 && report.crashes.length === 0 ? '  no 5xx, hang or crash' : `  ${report.failures.length} failure(s):`)
  for (const failure of report.failures) {
    lines.push(`  - ${failure.target}${failure.index === undefined ? '' : ` #${failure.index} (${failure.mutation})`}: ${failure.what}`)
    if (failure.request !== undefined) lines.push(`    request (base64): ${failure.request}`)
  }
  return lines.join('\n')
}
