import { type Logger, RETENTION_KEYS, type Retention, type RetentionOptions, checkLogger, checkOptions, optionKeys, resolveRetention } from '@webhook-trigger/core'

export type Synchronous = 'NORMAL' | 'FULL' | 'EXTRA'

export interface SqliteOutboxOptions extends RetentionOptions {
  /**
   * The database file, created with its folder if missing; `':memory:'` for tests.
   * Several processes may share one file.
   */
  path: string
  /**
   * When a commit reaches the disk (SQLite's `PRAGMA synchronous`, in WAL mode).
   * - `NORMAL`: a committed enqueue survives a crash or `kill -9` of the process:
   *   it is in the WAL file, which the operating system holds. A power loss or
   *   kernel panic may roll back the last commits (never corrupts the file).
   * - `FULL`: every commit is fsynced to the WAL first, so it survives a power
   *   loss too; each enqueue then waits for the disk.
   * - `EXTRA`: as `FULL` (it adds a directory sync that matters only outside WAL mode).
   * @default 'NORMAL': the failure a webhook relay meets most is its own process
   * dying, and it costs no fsync per event; choose `FULL` where the machine can
   * lose power with events already answered 202.
   */
  synchronous?: Synchronous
  /**
   * How long a write waits for another process' transaction before failing, in ms.
   * @default 5000
   */
  busyTimeout?: number
  /**
   * Where to log a commit that failed (error, `commit failed`, with `error`,
   * `errorCode` such as `SQLITE_FULL`, and `writes`): a pino or bunyan logger.
   * @default warnings and errors to stderr, each kind at most once a minute
   */
  logger?: Logger
}

export interface ResolvedOptions {
  path: string
  synchronous: Synchronous
  busyTimeout: number
  retention: Retention
  logger: Logger | undefined
}

const SYNCHRONOUS: readonly Synchronous[] = ['NORMAL', 'FULL', 'EXTRA']
const KEYS = optionKeys<SqliteOutboxOptions>()('path', 'synchronous', 'busyTimeout', 'logger', ...RETENTION_KEYS)
/** The file settings alone: what sqliteDeliveryLog() takes. */
export const FILE_KEYS: readonly string[] = ['path', 'synchronous', 'busyTimeout']

/** Copies, defaults and validates once, at creation. */
export function resolveOptions(options: SqliteOutboxOptions, where = 'sqliteOutbox()', keys = KEYS): ResolvedOptions {
  checkOptions(where, options, keys)
  const logger = checkLogger(options?.logger, where)
  const { path, synchronous = 'NORMAL', busyTimeout = 5000 } = options ?? {}
  if (typeof path !== 'string' || path.trim() === '') {
    throw new TypeError(`${where}: "path" must name the database file, e.g. path: './data/outbox.sqlite' (or ':memory:' in tests)`)
  }
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw new TypeError(`${where}: "synchronous" must be one of ${SYNCHRONOUS.map((s) => `'${s}'`).join(', ')}, got ${String(synchronous)}`)
  }
  if (!Number.isInteger(busyTimeout) || busyTimeout < 0) {
    throw new TypeError(`${where}: "busyTimeout" must be a whole number of ms, 0 or more, e.g. busyTimeout: 5000`)
  }
  return { path, synchronous, busyTimeout, retention: resolveRetention(options, where), logger }
}
