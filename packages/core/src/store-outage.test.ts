import { describe, expect, it } from 'vitest'
import type { Log, LogFields } from './log/logger.js'
import { outageReport } from './store-outage.js'

describe('outageReport()', () => {
  it('warns once per outage with the first error\'s class and code, and again only after a recovery', () => {
    const warnings: Array<[LogFields, string]> = []
    const log: Log = { error: () => undefined, warn: (fields, message) => warnings.push([fields, message]), info: () => undefined, debug: () => undefined, enabled: () => true }
    const outage = outageReport(log, 'the outbox')
    const full = Object.assign(new Error('database or disk is full at /srv/outbox.sqlite'), { code: 'SQLITE_FULL' })
    outage.failed(full)
    outage.failed(full)
    outage.recovered()
    outage.recovered()
    outage.failed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))
    expect(warnings).toEqual([
      [{ store: 'the outbox', error: 'Error', errorCode: 'SQLITE_FULL' }, 'the outbox is unavailable: answering 503 until it recovers'],
      [{ store: 'the outbox', error: 'Error', errorCode: 'ECONNREFUSED' }, 'the outbox is unavailable: answering 503 until it recovers'],
    ])
  })
})
