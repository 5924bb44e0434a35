import { describe, expect, it } from 'vitest'
// As built: startServer() starts dist/servers/<file>.js next to it.
import type { FromUpstream } from '../dist/drain-protocol.js'
import { peakBacklog } from '../dist/drain-report.js'
import { startServer } from '../dist/server-process.js'

describe('drain measurement', () => {
  it('the counting upstream tells keys that arrived once, twice, never, and keys not asked for', async () => {
    const upstream = await startServer('upstream', 'counting-upstream', { cpu: undefined })
    try {
      await upstream.ask<FromUpstream>({ type: 'count', prefix: 'k-', n: 3 }, 'arrivals')
      for (const key of ['k-0', 'k-1', 'k-1', 'other', undefined]) {
        const response = await fetch(upstream.origin, { method: 'POST', body: '{}', headers: key === undefined ? {} : { 'idempotency-key': key } })
        expect(response.status).toBe(202)
      }
      const { arrivals } = await upstream.ask<FromUpstream>({ type: 'arrivals', times: true }, 'arrivals')
      expect(arrivals).toMatchObject({ total: 5, once: 1, duplicated: 1, missing: 1, stray: 2 })
      expect(arrivals.firstAt).toHaveLength(2)
    } finally {
      await upstream.stop()
    }
  })

  it('peakBacklog() is the most events accepted and not yet arrived at any moment', () => {
    expect(peakBacklog([1, 2, 3, 4], [2.5, 5, 6, 7])).toBe(3)
    // A relay: each arrives before its 202.
    expect(peakBacklog([2, 4], [1, 3])).toBe(0)
  })
})
