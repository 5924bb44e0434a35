import { describe, expect, it } from 'vitest'
import { formatReport, fuzz } from './fuzz.js'

describe('fuzz (the short run of npm run fuzz)', () => {
  it('2000 seeded, mutated requests over raw sockets: no 5xx, hang or crash in the receiver and the intermediary', async () => {
    const report = await fuzz({ seed: 19, requests: 2000, concurrency: 32 })
    console.log(formatReport(report))
    expect(report.failures).toEqual([])
    expect(report.crashes).toEqual([])
    expect(report.sent).toBe(2000)
    for (const counts of Object.values(report.counts)) {
      // Valid requests still get through, and the broken ones meet the refusals they were built to reach.
      expect(counts['202']).toBeGreaterThan(50)
      for (const status of ['400', '401', '404', '405', '408', '413', '415', '431']) expect(counts[status], status).toBeGreaterThan(0)
    }
  }, 120_000)
})
