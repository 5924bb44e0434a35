import type { SendResult } from '@webhook-trigger/client'

/** What `send --repeat` reports at the end. */
export interface Summary {
  sent: number
  delivered: number
  rejected: number
  failed: number
  /** Count per HTTP status; sends that got no answer count under "none". */
  statuses: Record<string, number>
  seconds: number
  perSecond: number
  p50Ms: number
  p99Ms: number
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!
}

export function summarize(results: ReadonlyArray<{ result: SendResult; ms: number }>, seconds: number): Summary {
  const statuses: Record<string, number> = {}
  const count = { delivered: 0, rejected: 0, failed: 0 }
  for (const { result } of results) {
    count[result.outcome]++
    const status = String(result.status ?? 'none')
    statuses[status] = (statuses[status] ?? 0) + 1
  }
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    sent: results.length,
    ...count,
    statuses,
    seconds: round(seconds),
    perSecond: round(seconds > 0 ? results.length / seconds : 0),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  }
}

export function summaryLine(s: Summary): string {
  const statuses = Object.entries(s.statuses).map(([status, n]) => `${status}: ${n}`).join(', ')
  return `sent ${s.sent} in ${s.seconds} s (${s.perSecond} req/s): ${s.delivered} delivered, ${s.rejected} rejected, ${s.failed} failed; by status ${statuses}; latency p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`
}

/** A one-line bar redrawn in place on a terminal; nothing at all otherwise. */
export function progressBar(total: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): { tick(done: number): void; end(): void } {
  if (!enabled || !stream.isTTY) return { tick: () => undefined, end: () => undefined }
  let drawn = 0
  const draw = (done: number) => {
    const width = 30
    const full = Math.round((done / total) * width)
    stream.write(`\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${done}/${total}`)
  }
  return {
    tick(done) {
      // At most every 100 ms: redrawing on every response would cost more than sending.
      const now = Date.now()
      if (now - drawn < 100 && done < total) return
      drawn = now
      draw(done)
    },
    end: () => stream.write('\n'),
  }
}
