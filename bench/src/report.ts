import { type Config, RSS_TARGET_MB } from './configs.js'
import { DRAIN_TIMEOUT_MS, type Round } from './measure.js'

/** Everything measured for one configuration in one run. */
export interface ConfigResult {
  config: Config
  rounds: Round[]
  peakRssBytes: number
  /** Peak bytes of V8's young generation and of the rest of its heap. */
  peakHeapBytes: { young: number; old: number }
}

/** One line of the table: medians over the rounds. */
export interface Row {
  name: string
  label: string
  side: Config['side']
  reqPerSec: number
  /** Half the max-min range of req/s over the rounds, as a fraction of the median. */
  spread: number
  p50Ms: number
  p99Ms: number
  cpuMicrosPerRequest: number
  /** Server CPU time / wall time, median of the rounds: well below 1, something else was the bottleneck. */
  serverBusy: number
  peakRssMb: number
  /** Of the peak RSS: V8's young generation at its peak, and the rest of the V8 heap at its peak. */
  peakYoungMb: number
  peakOldMb: number
  non2xx: number
  errors: number
  peer?: string
  /** reqPerSec / the peer's reqPerSec. */
  ratio?: number
  /** The peer's CPU µs/req / this one's: the same comparison, without the load generator or the shared machine in it. */
  cpuRatio?: number
  /**
   * Median over the rounds of this round's req/s / the peer's in the same pass:
   * drift between passes cancels out, a burst of noise in one round does not.
   */
  perRoundRatio?: number
  target?: number
  perRound: number[]
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function summarise({ config, rounds, peakRssBytes, peakHeapBytes }: ConfigResult): Row {
  const perRound = rounds.map((r) => r.load.requests / r.load.seconds)
  const reqPerSec = median(perRound)
  return {
    name: config.name,
    label: config.label,
    side: config.side,
    reqPerSec,
    spread: (Math.max(...perRound) - Math.min(...perRound)) / 2 / reqPerSec,
    p50Ms: median(rounds.map((r) => r.load.p50Ms)),
    p99Ms: median(rounds.map((r) => r.load.p99Ms)),
    cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicros / r.load.requests)),
    serverBusy: median(rounds.map((r) => r.cpuMicros / 1e6 / r.load.seconds)),
    peakRssMb: peakRssBytes / 2 ** 20,
    peakYoungMb: peakHeapBytes.young / 2 ** 20,
    peakOldMb: peakHeapBytes.old / 2 ** 20,
    non2xx: rounds.reduce((sum, r) => sum + r.load.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.load.errors, 0),
    peer: config.peer,
    target: config.target,
    perRound,
  }
}

/** Rows with each one's ratio to its peer, when the peer ran too. */
export function buildRows(results: readonly ConfigResult[]): Row[] {
  const rows = results.map(summarise)
  const byName = new Map(rows.map((row) => [row.name, row]))
  for (const row of rows) {
    const peer = row.peer === undefined ? undefined : byName.get(row.peer)
    if (peer === undefined) continue
    row.ratio = row.reqPerSec / peer.reqPerSec
    row.cpuRatio = peer.cpuMicrosPerRequest / row.cpuMicrosPerRequest
    row.perRoundRatio = median(row.perRound.map((value, round) => value / peer.perRound[round]!))
  }
  return rows
}

// Below this, the server was not what limited req/s in most rounds: other
// processes on its core, or the load generator, were.
const SATURATED = 0.8

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const fixed = (n: number, digits = 1) => n.toFixed(digits)

function ratioCell(row: Row): string {
  if (row.ratio === undefined) return row.peer === undefined ? 'reference' : `— (${row.peer} not run)`
  const ratio = `${fixed(row.ratio, 2)}x ${row.peer} (CPU ${fixed(row.cpuRatio!, 2)}x)`
  if (row.target === undefined) return ratio
  return `${ratio}, target ≥ ${fixed(row.target, 2)}x: **${row.ratio >= row.target ? 'met' : 'not met'}**`
}

/** The results table, Markdown. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    '| configuration | req/s (median, ± half range) | p50 ms | p99 ms | server CPU µs/req | server busy | peak RSS MB (V8 young + rest) | non-2xx | errors | req/s vs peer |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.label} \`${row.name}\` | ${int(row.reqPerSec)} ±${fixed(row.spread * 100, 0)}% | ${fixed(row.p50Ms, 0)} | ${fixed(row.p99Ms, 0)} | ${fixed(row.cpuMicrosPerRequest, 0)} | ${fixed(row.serverBusy * 100, 0)}% | ${fixed(row.peakRssMb, 0)} (${fixed(row.peakYoungMb, 0)} + ${fixed(row.peakOldMb, 0)}) | ${row.non2xx} | ${row.errors} | ${ratioCell(row)} |`,
    )
  }
  return lines.join('\n')
}

export interface TargetCheck {
  target: string
  measured: string
  met: boolean
}

/** Every target, measured or not. */
export function checkTargets(rows: readonly Row[]): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const row of rows) {
    if (row.target === undefined || row.ratio === undefined) continue
    const peer = rows.find((other) => other.name === row.peer)!
    const contended = Math.min(row.serverBusy, peer.serverBusy) < SATURATED ? ', contended: read the CPU ratio' : ''
    checks.push({
      target: `${row.name} ≥ ${fixed(row.target, 2)}x ${row.peer}`,
      measured: `${fixed(row.ratio, 2)}x (CPU/req ${fixed(row.cpuRatio!, 2)}x, per round ${fixed(row.perRoundRatio!, 2)}x${contended})`,
      met: row.ratio >= row.target,
    })
  }
  const ours = rows.filter((row) => row.side === 'ours')
  if (ours.length > 0) {
    const largest = ours.reduce((a, b) => (b.peakRssMb > a.peakRssMb ? b : a))
    checks.push({
      target: `peak RSS of each of ours ≤ ${RSS_TARGET_MB} MB`,
      measured: `${fixed(largest.peakRssMb, 0)} MB (${largest.name}, the largest; V8 young generation ${fixed(largest.peakYoungMb, 0)} MB + rest of its heap ${fixed(largest.peakOldMb, 0)} MB)`,
      met: largest.peakRssMb <= RSS_TARGET_MB,
    })
  }
  return checks
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  const lines = ['| target | measured | |', '|---|--:|---|']
  for (const check of checks) lines.push(`| ${check.target} | ${check.measured} | ${check.met ? 'met' : '**not met**'} |`)
  return lines.join('\n')
}

/** What the table cannot say: contended rounds, and work left queued after the load stopped. */
export function notes(results: readonly ConfigResult[]): string[] {
  const lines: string[] = []
  const idle = buildRows(results).filter((row) => row.serverBusy < SATURATED)
  if (idle.length > 0) {
    lines.push(
      `Server busy below ${SATURATED * 100}% (${idle.map((row) => `\`${row.name}\``).join(', ')}): req/s there was limited by something else ` +
        '(other processes on the core, or autocannon), so its req/s ratio is compressed towards 1; the CPU ratio is the one to read.',
    )
  }
  for (const { config, rounds } of results) {
    const left = rounds.map((round) => round.pendingLeft)
    if (left.every((n) => n === 0)) continue
    lines.push(
      `\`${config.name}\`: ${left.join(', ')} events (per round) were still queued ${DRAIN_TIMEOUT_MS / 1000} s after the load stopped; ` +
        'its CPU µs/req leaves out their delivery, and its peak RSS includes the backlog.',
    )
  }
  return lines
}
