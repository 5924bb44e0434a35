import type { Level, Log, LogFields } from './logger.js'

export interface StderrLoggerOptions {
  /** Where a line goes. @default process.stderr.write */
  write?: (line: string) => void
  /** The window in which one kind of line is written once, in ms. @default 60000 */
  intervalMs?: number
}

interface Window {
  repeats: number
  last: LogFields
  timer: NodeJS.Timeout
}

/**
 * The logger used when none is given: warnings and errors only, to stderr,
 * one line per kind (component and message) per minute at most. The first
 * is written at once; repeats within the minute are counted, and at its end
 * one line says how many there were, with the fields of the last. So a store
 * that stays down fills no disk, and nobody misses that it is down.
 *
 * @example
 * const logger = createStderrLogger({ intervalMs: 10_000 })
 */
export function createStderrLogger(options: StderrLoggerOptions = {}) {
  const write = options.write ?? ((line: string) => void process.stderr.write(line))
  const intervalMs = options.intervalMs ?? 60_000
  const windows = new Map<string, Window>()

  const format = (level: Level, component: string, message: string, fields: LogFields, suffix = '') =>
    `webhook-trigger ${level} [${component}] ${message}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}${suffix}\n`

  function open(kind: string, level: Level, component: string, message: string): void {
    const timer = setTimeout(() => {
      const window = windows.get(kind)!
      if (window.repeats === 0) return void windows.delete(kind)
      const seconds = Math.round(intervalMs / 1000)
      write(format(level, component, message, window.last, ` (repeated ${window.repeats} times in the last ${seconds} s)`))
      // A steady stream keeps to one line per window: the count.
      open(kind, level, component, message)
    }, intervalMs)
    timer.unref()
    windows.set(kind, { repeats: 0, last: {}, timer })
  }

  function line(level: Level, component: string, fields: LogFields, message: string): void {
    const kind = `${level}\0${component}\0${message}`
    const window = windows.get(kind)
    if (window !== undefined) {
      window.repeats++
      window.last = fields
      return
    }
    write(format(level, component, message, fields))
    open(kind, level, component, message)
  }

  const ignore = () => undefined
  return {
    /** The log of one component. */
    log(component: string): Log {
      return {
        error: (fields, message) => line('error', component, fields, message),
        warn: (fields, message) => line('warn', component, fields, message),
        info: ignore,
        debug: ignore,
        enabled: (level) => level === 'error' || level === 'warn',
      }
    },
    /** Forgets the windows (and their pending counts), e.g. between tests. */
    reset(): void {
      for (const window of windows.values()) clearTimeout(window.timer)
      windows.clear()
    },
  }
}

/** The process-wide default: one window per kind, whichever factory writes it. */
export const stderrLogger = createStderrLogger()
