import { stderrLogger } from './stderr-logger.js'

/** Fields of one log line. Values are plain data; never a credential, a secret, a header value or a body. */
export type LogFields = object

/**
 * A logger in the shape pino and bunyan share: `logger.info({ eventId }, 'event queued')`.
 * A pino or bunyan instance is one; so is anything with these four methods.
 */
export interface Logger {
  error(fields: LogFields, message: string): void
  warn(fields: LogFields, message: string): void
  info(fields: LogFields, message: string): void
  debug(fields: LogFields, message: string): void
  /** Used when present, so the logger's own bindings and level rules apply to `{ component }`. */
  child?(bindings: LogFields): Logger
  /** pino's: lets a disabled level cost nothing. */
  isLevelEnabled?(level: string): boolean
}

export type Level = 'error' | 'warn' | 'info' | 'debug'
const LEVELS: readonly Level[] = ['error', 'warn', 'info', 'debug']

/** The logger one component writes through. */
export interface Log {
  error(fields: LogFields, message: string): void
  warn(fields: LogFields, message: string): void
  info(fields: LogFields, message: string): void
  debug(fields: LogFields, message: string): void
  /** Whether a line at `level` goes anywhere: skip building its fields when not. */
  enabled(level: Level): boolean
}

export function isLogger(value: unknown): value is Logger {
  const candidate = value as Partial<Record<Level, unknown>> | null
  return typeof candidate === 'object' && candidate !== null && LEVELS.every((level) => typeof candidate[level] === 'function')
}

/** Checks a `logger` option at creation; `undefined` when none was given. */
export function checkLogger(value: unknown, where: string): Logger | undefined {
  if (value === undefined) return undefined
  if (!isLogger(value)) {
    throw new TypeError(`${where}: "logger" must have error, warn, info and debug methods (pino's or bunyan's shape), e.g. logger: pino()`)
  }
  return value
}

/**
 * The log of one component (`webhook`, `forward`, `redisOutbox`...): the
 * given logger's `child({ component })`, or the logger with `component`
 * added to each line; without a logger, warnings and errors to stderr, each
 * kind at most once a minute (see `stderrLogger`).
 */
export function createLog(logger: Logger | undefined, component: string): Log {
  if (logger === undefined) return stderrLogger.log(component)
  const bound = typeof logger.child === 'function' ? logger.child({ component }) : undefined
  const target = bound ?? logger
  const write =
    (level: Level) =>
    (fields: LogFields, message: string): void =>
      bound === undefined ? logger[level]({ component, ...fields }, message) : bound[level](fields, message)
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    enabled: (level) => (typeof target.isLevelEnabled === 'function' ? target.isLevelEnabled(level) : true),
  }
}

/**
 * What an error may say in a log line: its class and code, never its message,
 * which can echo what a lookup was given (a token, a header value).
 */
export function errorFields(error: unknown): { error: string; errorCode?: string } {
  const name = error instanceof Error ? error.name : typeof error
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' || typeof code === 'number' ? { error: name, errorCode: String(code) } : { error: name }
}

/**
 * The app's listener (`onEvent`, `onRequest`), made safe to call on our
 * path: one that throws is logged (error, `listener threw`), never left to
 * break a delivery or hang a request.
 */
export function listening<E>(listener: ((event: E) => void) | undefined, log: Log, name: string): (event: E) => void {
  if (listener === undefined) return () => undefined
  return (event) => {
    try {
      listener(event)
    } catch (error) {
      log.error({ listener: name, ...errorFields(error) }, 'listener threw')
    }
  }
}
