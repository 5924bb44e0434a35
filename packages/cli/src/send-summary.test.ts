import type { SendResult } from '@webhook-trigger/client'
import { describe, expect, it } from 'vitest'
import { progressBar, summarize, summaryLine } from './send-summary.js'

const delivered = (ms: number) => ({ ms, result: { outcome: 'delivered', status: 202, body: undefined, attempts: 1, idempotencyKey: 'k' } as SendResult })
const rejected = { ms: 5, result: { outcome: 'rejected', status: 401, problem: undefined, attempts: 1, idempotencyKey: 'k' } as SendResult }
const failed = { ms: 5, result: { outcome: 'failed', status: undefined, error: 'network', attempts: 4, idempotencyKey: 'k' } as SendResult }

describe('summarize()', () => {
  it('counts outcomes and statuses, and takes nearest-rank p50 and p99', () => {
    const results = [...Array.from({ length: 98 }, (_, i) => delivered(i + 1)), rejected, failed]
    const summary = summarize(results, 2)
    expect(summary).toMatchObject({ sent: 100, delivered: 98, rejected: 1, failed: 1, statuses: { 202: 98, 401: 1, none: 1 }, perSecond: 50 })
    // Sorted latencies: 1..5 then 5, 5 (the two non-delivered), then 6..98.
    expect(summary.p50Ms).toBe(48)
    expect(summary.p99Ms).toBe(97)
    expect(summaryLine(summary)).toBe('sent 100 in 2 s (50 req/s): 98 delivered, 1 rejected, 1 failed; by status 202: 98, 401: 1, none: 1; latency p50 48 ms, p99 97 ms')
  })
})

describe('progressBar()', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = []
    return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream }
  }

  it('draws in place on a terminal, and always the last step', () => {
    const { written, stream: tty } = stream(true)
    const bar = progressBar(4, true, tty)
    for (let done = 1; done <= 4; done++) bar.tick(done)
    bar.end()
    expect(written[0]).toBe(`\r[${'#'.repeat(8)}${'-'.repeat(22)}] 1/4`)
    expect(written.at(-2)).toBe(`\r[${'#'.repeat(30)}] 4/4`)
    expect(written.at(-1)).toBe('\n')
  })

  it('writes nothing off a terminal, or when disabled (--json)', () => {
    for (const [isTTY, enabled] of [[false, true], [true, false]] as const) {
      const { written, stream: out } = stream(isTTY)
      const bar = progressBar(2, enabled, out)
      bar.tick(1)
      bar.tick(2)
      bar.end()
      expect(written).toEqual([])
    }
  })
})
