import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkLogger, createLog } from './logger.js'
import { createStderrLogger } from './stderr-logger.js'

/** A pino logger writing its JSON lines into an array. */
function capturing(level = 'debug') {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  return { logger: pino({ level }, stream), lines }
}

describe('createLog()', () => {
  it('writes through a pino logger as a child bound to the component, with pino levels', async () => {
    const { logger, lines } = capturing('info')
    const log = createLog(logger, 'forward')
    log.info({ eventId: 'evt_1', outcome: 'delivered' }, 'event delivered')
    log.debug({ eventId: 'evt_1' }, 'delivery attempt')
    expect(log.enabled('debug')).toBe(false)
    expect(log.enabled('info')).toBe(true)
    await vi.waitFor(() => expect(lines).toHaveLength(1))
    expect(lines[0]).toMatchObject({ level: 30, component: 'forward', eventId: 'evt_1', outcome: 'delivered', msg: 'event delivered' })
  })

  it('adds the component to each line of a logger without child()', () => {
    const info = vi.fn()
    const logger = { info, warn: vi.fn(), error: vi.fn(), debug: vi.fn() }
    createLog(logger, 'admin').info({ action: 'x' }, 'admin action')
    expect(info).toHaveBeenCalledWith({ component: 'admin', action: 'x' }, 'admin action')
  })

  it.each([null, 'pino', {}, { info() {}, warn() {}, error() {} }])('refuses logger %j at creation, naming the option', (logger) => {
    expect(() => checkLogger(logger, 'webhook()')).toThrow(/webhook\(\): "logger" must have error, warn, info and debug methods/)
  })
})

describe('createStderrLogger()', () => {
  afterEach(() => vi.useRealTimers())

  it('writes warnings and errors, not info or debug', () => {
    const write = vi.fn()
    const log = createStderrLogger({ write }).log('deliverer')
    log.info({}, 'event delivered')
    log.debug({}, 'delivery attempt')
    log.error({ error: 'Error', errorCode: 'ECONNREFUSED' }, 'outbox call failed')
    expect(write.mock.calls).toEqual([['webhook-trigger error [deliverer] outbox call failed {"error":"Error","errorCode":"ECONNREFUSED"}\n']])
  })

  it('writes each kind at most once a minute, then one line counting the repeats', () => {
    vi.useFakeTimers()
    const write = vi.fn()
    const stderr = createStderrLogger({ write })
    const log = stderr.log('redisOutbox')
    for (let i = 0; i < 30; i++) {
      log.warn({ errorCode: 'ECONNREFUSED' }, 'redis connection error')
      vi.advanceTimersByTime(2000)
    }
    log.warn({}, 'another kind')
    // 60 s in: the first line, the count of the 29 repeats of the first minute, and the other kind.
    expect(write.mock.calls.map(([line]) => line as string)).toEqual([
      'webhook-trigger warn [redisOutbox] redis connection error {"errorCode":"ECONNREFUSED"}\n',
      'webhook-trigger warn [redisOutbox] redis connection error {"errorCode":"ECONNREFUSED"} (repeated 29 times in the last 60 s)\n',
      'webhook-trigger warn [redisOutbox] another kind\n',
    ])
    vi.advanceTimersByTime(120_000)
    expect(write).toHaveBeenCalledTimes(3)
    log.warn({}, 'redis connection error')
    expect(write).toHaveBeenCalledTimes(4)
    stderr.reset()
  })
})
