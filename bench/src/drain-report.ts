import { DRAIN_TARGETS, type DrainConfig } from './drain-configs.js'
import type { Arrivals, SendResult } from './drain-protocol.js'

/** One configuration's drain, as the table shows it. */
export interface DrainRow {
  name: string
  label: string
  n: number
  /** Events delivered per second, first send to last arrival (undefined: delivers nothing). */
  deliveredPerSecond: number | undefined
  /** 202s per second, first send to last answer. */
  acceptedPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Most events answered 202 but not yet arrived upstream at any moment. */
  peakBacklog: number | undefined
  peakRssMb: number
  /** What of it V8 committed at its peak: young generation, and everything else. */
  peakHeapMb: { young: number; old: number }
  /** Server process CPU per event, deliveries included (Redis' own CPU is not). */
  cpuMicrosPerEvent: number
  /** Every event answered 202 and arrived upstream exactly once. */
  exact: boolean
  /** What went wrong when not exact. */
  problems: string[]
}

/** The largest count of accepted-but-not-arrived events, from both time series. */
export function peakBacklog(acceptedAt: readonly number[], arrivedAt: readonly number[]): number {
  const accepted = [...acceptedAt].sort((a, b) => a - b)
  const arrived = [...arrivedAt].sort((a, b) => a - b)
  let peak = 0
  let j = 0
  for (let i = 0; i < accepted.length; i++) {
    while (j < arrived.length && arrived[j]! <= accepted[i]!) j++
    peak = Math.max(peak, i + 1 - j)
  }
  return peak
}

export function drainRow(
  config: DrainConfig,
  n: number,
  sent: SendResult,
  arrivals: Arrivals | undefined,
  memory: { rssBytes: number; heapBytes: { young: number; old: number } },
  cpuMicros: number,
): DrainRow {
  const problems: string[] = []
  if (sent.errors > 0) problems.push(`${sent.errors} socket errors`)
  if (sent.non202 > 0) problems.push(`answers other than 202: ${JSON.stringify(sent.statusCodes)}`)
  if (arrivals !== undefined) {
    if (arrivals.missing > 0) problems.push(`${arrivals.missing} events never arrived`)
    if (arrivals.duplicated > 0) problems.push(`${arrivals.duplicated} events arrived more than once`)
    if (arrivals.stray > 0) problems.push(`${arrivals.stray} arrivals with an unknown key`)
  }
  const seconds = (from: number, to: number) => Math.max(to - from, 1) / 1000
  return {
    name: config.name,
    label: config.label,
    n,
    deliveredPerSecond: arrivals === undefined ? undefined : arrivals.once / seconds(sent.firstSendAt, arrivals.lastAt),
    acceptedPerSecond: sent.acceptedAt.length / seconds(sent.firstSendAt, sent.lastAnswerAt),
    p50Ms: sent.p50Ms,
    p99Ms: sent.p99Ms,
    peakBacklog: arrivals?.firstAt === undefined ? undefined : peakBacklog(sent.acceptedAt, arrivals.firstAt),
    peakRssMb: memory.rssBytes / 2 ** 20,
    peakHeapMb: { young: memory.heapBytes.young / 2 ** 20, old: memory.heapBytes.old / 2 ** 20 },
    cpuMicrosPerEvent: cpuMicros / n,
    exact: problems.length === 0,
    problems,
  }
}

const fixed = (value: number | undefined, digits = 0) => (value === undefined ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }))

export function drainTable(rows: readonly DrainRow[]): string {
  return [
    '| configuration | delivered/s | 202/s | 202 p50 ms | 202 p99 ms | peak backlog | peak RSS MB | of which V8 young / old MB | server CPU µs/event | each key once |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|:-:|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${fixed(row.deliveredPerSecond)} | ${fixed(row.acceptedPerSecond)} | ${fixed(row.p50Ms, 1)} | ${fixed(row.p99Ms, 1)} | ${fixed(row.peakBacklog)} | ${fixed(row.peakRssMb)} | ${fixed(row.peakHeapMb.young)} / ${fixed(row.peakHeapMb.old)} | ${fixed(row.cpuMicrosPerEvent)} | ${row.exact ? `yes (${row.n})` : 'NO'} |`,
    ),
  ].join('\n')
}

export interface DrainCheck {
  what: string
  target: string
  measured: number | undefined
  holds: boolean | undefined
}

/** Every target whose two configurations ran; undefined when one of them did not. */
export function drainChecks(rows: readonly DrainRow[]): DrainCheck[] {
  const byName = new Map(rows.map((row) => [row.name, row]))
  return DRAIN_TARGETS.flatMap((target) => {
    const ours = byName.get(target.ours)
    const over = byName.get(target.over)
    if (ours === undefined || over === undefined) return []
    const value = (row: DrainRow) => (target.metric === 'rss' ? row.peakRssMb : row.deliveredPerSecond)
    const a = value(ours)
    const b = value(over)
    const measured = a === undefined || b === undefined ? undefined : a / b
    const holds = measured === undefined ? undefined : target.metric === 'rss' ? measured <= target.ratio : measured >= target.ratio && ours.exact
    return [{ what: target.what, target: `${target.metric === 'rss' ? '<=' : '>='} ${target.ratio}x`, measured, holds }]
  })
}

export function checksTable(checks: readonly DrainCheck[]): string {
  return [
    '| target | wanted | measured | holds |',
    '|---|---:|---:|:-:|',
    ...checks.map((check) => `| ${check.what} | ${check.target} | ${fixed(check.measured, 2)}x | ${check.holds === undefined ? '-' : check.holds ? 'yes' : 'no'} |`),
  ].join('\n')
}
