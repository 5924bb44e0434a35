import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from './configs.js'
import { type Window, monotonicMicros } from './profile.js'
import type { Loader } from './loader.js'
import type { LoadJob, LoadResult, ServerStats } from './protocol.js'
import type { ServerProcess } from './server-process.js'

/** One measured round of one configuration. */
export interface Round {
  load: LoadResult
  /** Server CPU time spent during the round, drain included, in microseconds. */
  cpuMicros: number
  /** How long queued work took to finish after the load stopped. */
  drainMs: number
  /** Work still queued when the runner stopped waiting (should be 0). */
  pendingLeft: number
  /** When the round ran, on the clock of CPU profiles. */
  window: Window
}

// The intermediaries take a round's events faster than they deliver them (50
// senders against 8 deliveries in flight), then deliver the backlog at
// 3,000-11,000 events/s: a 4 s round leaves up to ~13,000 queued. 10 s lets
// that finish, so CPU per request counts every delivery; a backlog that needs
// longer is reported, not waited for.
export const DRAIN_TIMEOUT_MS = 10_000

/** Polls the server until it has no queued work left, or the timeout passes. */
export async function drained(server: ServerProcess): Promise<{ stats: ServerStats; drainMs: number }> {
  const start = performance.now()
  let stats = await server.stats()
  while (stats.pending > 0 && performance.now() - start < DRAIN_TIMEOUT_MS) {
    await sleep(50)
    stats = await server.stats()
  }
  return { stats, drainMs: Math.round(performance.now() - start) }
}

/**
 * A configuration answering 401 or 502 measures the wrong thing, fast: any
 * non-2xx answer or socket error ends the run.
 */
export function assertClean(config: Config, load: LoadResult, phase: string): void {
  if (load.non2xx === 0 && load.errors === 0) return
  const codes = Object.entries(load.statusCodes).map(([code, n]) => `${code}: ${n}`).join(', ')
  throw new Error(
    `${config.name} (${phase}): ${load.non2xx} non-2xx answers and ${load.errors} errors out of ${load.requests} requests [${codes}]; the numbers would be meaningless.`,
  )
}

/** One request before any load, so a misconfigured server fails with its own answer in the message. */
export async function probe(config: Config, url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body })
  const text = await response.text()
  if (response.status < 200 || response.status > 299) {
    throw new Error(`${config.name}: the probe request got ${response.status} ${text.slice(0, 500)}`)
  }
}

/** Load that is not measured, so the JIT has compiled the hot path; waits for queued work too. */
export async function warmUp(config: Config, server: ServerProcess, loader: Loader, job: LoadJob): Promise<void> {
  assertClean(config, await loader.run(job), 'warm-up')
  await drained(server)
}

/** Runs the load once and reads the server's CPU time around it. */
export async function measure(server: ServerProcess, loader: Loader, job: LoadJob): Promise<Round> {
  const before = await server.stats()
  const start = monotonicMicros()
  const load = await loader.run(job)
  const { stats: after, drainMs } = await drained(server)
  return { load, cpuMicros: after.cpuMicros - before.cpuMicros, drainMs, pendingLeft: after.pending, window: [start, monotonicMicros()] }
}

/**
 * One progress line. "busy" is CPU time over wall time: a server far below
 * 100% was not the bottleneck (the load generator or another process was).
 */
export function describeRound({ load, cpuMicros, drainMs, pendingLeft }: Round): string {
  const rps = Math.round(load.requests / load.seconds).toLocaleString('en-US')
  const busy = (micros: number) => `${Math.round(micros / 1e4 / load.seconds)}%`
  const drain = drainMs > 200 ? `, drained ${drainMs} ms` : ''
  const left = pendingLeft > 0 ? `, ${pendingLeft} events still queued` : ''
  return `${rps.padStart(8)} req/s  p99 ${load.p99Ms} ms  ${(cpuMicros / load.requests).toFixed(0)} µs/req  server ${busy(cpuMicros)} / autocannon ${busy(load.loaderCpuMicros)} busy${drain}${left}`
}
