import { describe, expect, it } from 'vitest'
import { growth, slope } from './regression.js'

const MB = 1024 * 1024

describe('the soak criterion', () => {
  it('slope() is the least-squares slope, 0 for fewer than two points', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2)
    expect(slope([0, 1, 2, 3], [5, 5, 5, 5])).toBe(0)
    expect(slope([1], [1])).toBe(0)
  })

  it('growth() ignores the warm-up half and sees through a GC sawtooth', () => {
    // 20 minutes sampled each minute: RSS climbs 50 MB in warm-up, then is flat with a +-8 MB sawtooth.
    const flat = Array.from({ length: 20 }, (_, minute) => ({
      at: minute * 60,
      rss: (minute < 10 ? 100 + minute * 5 : 150 + (minute % 2 === 0 ? 8 : -8)) * MB,
      heapUsed: (minute % 3) * 10 * MB + 20 * MB,
    }))
    expect(Math.abs(growth(flat).rssMbPerMin)).toBeLessThan(1)
    expect(Math.abs(growth(flat).heapMbPerMin)).toBeLessThan(1)
    // A leak of 3 MB a minute in the second half is seen as 3 MB a minute.
    const leaking = flat.map((sample, minute) => ({ ...sample, rss: sample.rss + Math.max(0, minute - 10) * 3 * MB }))
    expect(growth(leaking).rssMbPerMin).toBeCloseTo(3, 0)
  })
})
