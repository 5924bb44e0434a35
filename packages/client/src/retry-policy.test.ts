import { describe, expect, it } from 'vitest'
import { STANDARD_SCHEDULE, createRetryPolicy, isRetryableStatus, parseRetryAfter } from './retry-policy.js'

describe('isRetryableStatus()', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('retries %i', (status) => expect(isRetryableStatus(status)).toBe(true))
  it.each([200, 301, 307, 400, 401, 404, 410, 422, 501])('does not retry %i', (status) => expect(isRetryableStatus(status)).toBe(false))
})

describe('parseRetryAfter()', () => {
  const now = Date.parse('Sun, 29 Nov 2026 10:00:00 GMT')
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 29 Nov 2026 10:00:30 GMT', 30_000],
    ['Sun, 29 Nov 2026 09:00:00 GMT', 0],
    ['1.5', undefined],
    ['-1', undefined],
    ['soon', undefined],
    ['2026-11-29', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms))
})

describe('createRetryPolicy()', () => {
  it('backs off exponentially with full jitter below a ceiling', () => {
    const top = createRetryPolicy({ retries: 5, baseDelay: 100, maxDelay: 1000, random: () => 0.999 })
    expect([1, 2, 3, 4, 5].map((n) => top.next({ error: 'network' }, n))).toEqual([
      { retry: true, delay: 99 },
      { retry: true, delay: 199 },
      { retry: true, delay: 399 },
      { retry: true, delay: 799 },
      { retry: true, delay: 999 },
    ])
    const bottom = createRetryPolicy({ retries: 1, random: () => 0 })
    expect(bottom.next({ error: 'timeout' }, 1)).toEqual({ retry: true, delay: 0 })
  })

  it('stops after the last retry', () => {
    const policy = createRetryPolicy({ retries: 2 })
    expect(policy.next({ status: 503 }, 3)).toEqual({ retry: false })
  })

  it('never comes back earlier than Retry-After asks', () => {
    const policy = createRetryPolicy({ retries: 2, maxRetryAfter: 5000, random: () => 0 })
    expect(policy.next({ status: 429, retryAfter: '3' }, 1)).toEqual({ retry: true, delay: 3000 })
  })

  it('gives up rather than wait longer than maxRetryAfter', () => {
    const policy = createRetryPolicy({ retries: 2, maxRetryAfter: 5000 })
    expect(policy.next({ status: 503, retryAfter: '6' }, 1)).toEqual({ retry: false })
  })

  it('follows a fixed schedule, still honouring Retry-After', () => {
    const policy = createRetryPolicy({ delays: STANDARD_SCHEDULE, maxRetryAfter: 86_400_000 })
    expect(policy.retries).toBe(7)
    expect([1, 2, 7].map((n) => policy.next({ status: 500 }, n))).toEqual([
      { retry: true, delay: 5000 },
      { retry: true, delay: 300_000 },
      { retry: true, delay: 36_000_000 },
    ])
    expect(policy.next({ status: 500 }, 8)).toEqual({ retry: false })
    expect(policy.next({ status: 503, retryAfter: '600' }, 1)).toEqual({ retry: true, delay: 600_000 })
  })

  it('does not retry a final status', () => {
    expect(createRetryPolicy().next({ status: 410 }, 1)).toEqual({ retry: false })
  })
})
