import { type Lease, type NewMessage, type Outbox, type OutboxStats, createLog, errorFields } from '@webhook-trigger/core'
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { groupCommit } from './group-commit.js'
import { type SqliteOutboxOptions, resolveOptions } from './sqlite-outbox-options.js'
import { prepareStatements, toMessage } from './statements.js'

/** better-sqlite3 is synchronous: run the call now, and let a throw reject the promise. */
function settled<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()))
}

const bytes = (body: Uint8Array): Buffer => Buffer.from(body.buffer, body.byteOffset, body.byteLength)

/**
 * A durable outbox in one SQLite file: a queued event survives a crash or a
 * restart of the process, and several processes can share the file (WAL mode,
 * a busy timeout, and leases taken in one write transaction so two processes
 * never hold the same message). `enqueue` resolves once its row is committed,
 * so the 202 that follows it is a promise kept.
 *
 * @example
 * import { sqliteOutbox } from '@webhook-trigger/outbox-sqlite'
 *
 * const relay = forward({ to, auth, outbox: sqliteOutbox({ path: './data/outbox.sqlite' }) })
 */
export function sqliteOutbox(options: SqliteOutboxOptions): Outbox {
  const { path, synchronous, busyTimeout, logger } = resolveOptions(options)
  const log = createLog(logger, 'sqliteOutbox')
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { timeout: busyTimeout })
  try {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous}`)
  } catch (error) {
    db.close()
    throw error
  }
  const sql = prepareStatements(db)

  // IMMEDIATE takes the write lock before reading, so a second process waits
  // instead of choosing the same rows from a snapshot of its own.
  const take = db.transaction((max: number, now: number, until: number): Lease[] =>
    sql.due.all(now, max).map(({ seq }) => {
      const token = randomUUID()
      return { message: toMessage(sql.take.get({ seq, token, until })!), token, until }
    }),
  )

  type Row = { id: string; target: string; headers: string; body: Buffer; now: number }
  const held = (lease: Lease) => ({ id: lease.message.id, token: lease.token })

  // The two writes every event makes, committed a turn of the event loop at a time.
  const failed = (error: unknown, writes: number) => log.error({ ...errorFields(error), writes }, 'commit failed')
  const insert = groupCommit(db, (row: Row) => (sql.insert.run(row).changes === 1 ? ('queued' as const) : ('duplicate' as const)), failed)
  const complete = groupCommit(db, (lease: Lease) => sql.complete.run(held(lease)).changes === 1, failed)

  return {
    enqueue: (message: NewMessage, now: number) => {
      // Built now, not at the commit: headers that cannot be serialised refuse this call alone, at
      // once, and later changes to them are not what gets stored.
      let row: Row
      try {
        row = { id: message.id, target: message.target, headers: JSON.stringify(message.headers), body: bytes(message.body), now }
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new TypeError(String(error)))
      }
      return insert(row)
    },
    lease: (max, now, leaseMs) => settled(() => (max > 0 ? take.immediate(max, now, now + leaseMs) : [])),
    complete,
    retry: (lease, nextAttemptAt, error, status) =>
      settled(() => sql.retry.run({ ...held(lease), at: nextAttemptAt, error, status: status ?? null }).changes === 1),
    bury: (lease, error, status) => settled(() => sql.bury.run({ ...held(lease), error, status: status ?? null }).changes === 1),
    release: (lease) => settled(() => sql.release.run({ ...held(lease), at: lease.message.nextAttemptAt }).changes === 1),
    list: (state, limit = Infinity) =>
      settled(() => sql.list.all(state, Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1).map(toMessage)),
    redeliver: (id, now) => settled(() => sql.redeliver.run({ id, now }).changes === 1),
    redeliverAll: (now) => settled(() => sql.redeliverAll.run({ now }).changes),
    purge: (state = 'dead') => settled(() => sql.purge.run(state).changes),
    stats: () =>
      settled(() => {
        const stats: OutboxStats = { pending: 0, dead: 0 }
        for (const { state, count, oldest } of sql.counts.all()) {
          stats[state] = count
          if (state === 'pending') stats.oldestPendingAt = oldest
        }
        return stats
      }),
    close: () =>
      settled(() => {
        insert.flush()
        complete.flush()
        db.close()
      }),
  }
}
