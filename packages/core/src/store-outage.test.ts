import { describe, expect, it } from 'vitest'
import { outageReport } from './store-outage.js'

describe('outageReport()', () => {
  it('warns once per outage with the store\'s first error, and again only after a recovery', async () => {
    const warnings: Error[] = []
    const collect = (warning: Error) => warnings.push(warning)
    process.on('warning', collect)
    try {
      const outage = outageReport('forward(): the outbox')
      outage.failed(new Error('database or disk is full'))
      outage.failed(new Error('database or disk is full'))
      outage.recovered()
      outage.recovered()
      outage.failed(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
      // Node emits warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', collect)
    }
    expect(warnings.map((warning) => warning.message)).toEqual([
      'webhook-trigger: forward(): the outbox is unavailable, answering 503 until it recovers: database or disk is full',
      'webhook-trigger: forward(): the outbox is unavailable, answering 503 until it recovers: connect ECONNREFUSED 127.0.0.1:6379',
    ])
  })
})
