import {
  type Attempt,
  type EventState,
  type Lease,
  type NewMessage,
  type Outbox,
  type OutboxStats,
  activityBuckets,
  createLog,
  decodeCursor,
  encodeCursor,
  errorFields,
  keepsDelivered,
  purgeTimer,
} from '@webhook-trigger/core'
import { randomUUID } from 'node:crypto'
import { groupCommit } from './group-commit.js'
import { openDatabase } from './open-database.js'
import { type SqliteOutboxOptions, resolveOptions } from './sqlite-outbox-options.js'
import { prepareStatements, toAttempt, toEvent, toMessage } from './statements.js'

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
  const resolved = resolveOptions(options)
  const { retention, logger } = resolved
  const log = createLog(logger, 'sqliteOutbox')
  const keeping = keepsDelivered(retention)
  const db = openDatabase(resolved, 'sqliteOutbox()')
  const sql = prepareStatements(db)

  // Run inside a group commit, which takes the write lock before reading (BEGIN IMMEDIATE), so a
  // second process waits instead of choosing the same rows from a snapshot of its own.
  const take = db.transaction((max: number, now: number, until: number): Lease[] =>
    sql.due.all(now, max).map(({ seq }) => {
      const token = randomUUID()
      return { message: toMessage(sql.take.get({ seq, token, until })!), token, until }
    }),
  )

  type Row = { id: string; target: string; headers: string; body: Buffer; now: number; event: string | null; tenant: string | null }
  const held = (lease: Lease) => ({ id: lease.message.id, token: lease.token })

  /** Records `attempt` against the row a settlement returned; `false` when it returned none (the lease was lost). */
  function recorded(row: { seq: number } | undefined, attempt: Attempt | undefined): boolean {
    if (row === undefined) return false
    if (attempt !== undefined) {
      const { at, duration, status = null, error = null, response = null } = attempt
      sql.record.run({ seq: row.seq, at, duration, status, error, response })
    }
    return true
  }

  // The three writes every event makes (insert, lease, completion), committed together a turn of the
  // event loop at a time: one commit per turn instead of one per kind of write.
  const failed = (error: unknown, writes: number) => log.error({ ...errorFields(error), writes }, 'commit failed')
  const batch = groupCommit(db, (write: () => unknown) => write(), failed)
  const inBatch = <R>(write: () => R): Promise<R> => batch(write) as Promise<R>
  const insert = (row: Row) => inBatch(() => (sql.insert.run(row).changes === 1 ? ('queued' as const) : ('duplicate' as const)))
  const completeNow = ({ lease, attempt }: { lease: Lease; attempt?: Attempt | undefined }) => {
    if (!keeping) {
      const gone = sql.complete.get(held(lease))
      if (gone !== undefined) sql.purgeAttemptsOf.run(gone.seq)
      return gone !== undefined
    }
    const at = attempt === undefined ? Date.now() : attempt.at + attempt.duration
    return recorded(sql.deliver.get({ ...held(lease), at }), attempt)
  }
  const settle = <A>(work: (arg: A) => boolean) => {
    const inTransaction = db.transaction(work)
    return (arg: A) => settled(() => inTransaction(arg))
  }
  const retry = settle((a: { lease: Lease; at: number; error: string; status: number | null; attempt?: Attempt | undefined }) =>
    recorded(sql.retry.get({ ...held(a.lease), at: a.at, error: a.error, status: a.status }), a.attempt),
  )
  const bury = settle((a: { lease: Lease; error: string; status: number | null; attempt?: Attempt | undefined }) =>
    recorded(sql.bury.get({ ...held(a.lease), error: a.error, status: a.status }), a.attempt),
  )
  const purge = db.transaction((state: 'pending' | 'dead') => {
    sql.purgeAttempts.run(state)
    return sql.purge.run(state).changes
  })
  /** Deletes delivered rows past the cap or older than the window, with their attempts. */
  const expire = db.transaction((now: number) => {
    const capped = sql.capAt.get({ keep: retention.maxDelivered }) ?? { due_at: -1, seq: -1 }
    const expiry = { cutoff: now - retention.keepDelivered, at: capped.due_at, seq: capped.seq }
    sql.expireAttempts.run(expiry)
    return sql.expire.run(expiry).changes
  })
  const purging = keeping ? purgeTimer(retention.purgeInterval, () => expire.immediate(Date.now()), (error) => log.error(errorFields(error), 'purge failed')) : undefined

  return {
    enqueue: (message: NewMessage, now: number) => {
      // Built now, not at the commit: headers that cannot be serialised refuse this call alone, at
      // once, and later changes to them are not what gets stored.
      let row: Row
      try {
        const { id, target, event = null, tenant = null } = message
        row = { id, target, headers: JSON.stringify(message.headers), body: bytes(message.body), now, event, tenant }
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new TypeError(String(error)))
      }
      return insert(row)
    },
    lease: (max, now, leaseMs) => (max > 0 ? inBatch(() => take(max, now, now + leaseMs)) : Promise.resolve([])),
    complete: (lease, attempt) => inBatch(() => completeNow({ lease, attempt })),
    retry: (lease, nextAttemptAt, error, status, attempt) => retry({ lease, at: nextAttemptAt, error, status: status ?? null, attempt }),
    bury: (lease, error, status, attempt) => bury({ lease, error, status: status ?? null, attempt }),
    release: (lease) => settled(() => sql.release.run({ ...held(lease), at: lease.message.nextAttemptAt }).changes === 1),
    list: (state, limit = Infinity) =>
      settled(() => sql.list.all(state, Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1).map(toMessage)),
    redeliver: (id, now) => settled(() => sql.redeliver.run({ id, now }).changes === 1),
    redeliverAll: (now) => settled(() => sql.redeliverAll.run({ now }).changes),
    purge: (state = 'dead') => settled(() => purge(state)),
    stats: () =>
      settled(() => {
        const stats: OutboxStats = { pending: 0, dead: 0 }
        for (const { state, count, oldest } of sql.stats.all()) {
          if (state === 'delivered') continue
          stats[state] = count
          if (state === 'pending') stats.oldestPendingAt = oldest
        }
        return stats
      }),
    find: (query) =>
      settled(() => {
        const { state, limit, from = -Infinity, to = Infinity } = query
        const before = decodeCursor(query.cursor)?.[0] ?? Number.MAX_SAFE_INTEGER
        const filter = { state, event: query.event ?? null, tenant: query.tenant ?? null, from: Math.max(from, -1e15), to: Math.min(to, 1e15), before, limit: limit + 1 }
        const rows = sql.find.all(filter)
        const more = rows.length > limit
        if (more) rows.pop()
        const events = rows.map(toEvent)
        return more ? { events, next: encodeCursor([rows.at(-1)!.seq, '']) } : { events }
      }),
    get: (id) =>
      settled(() => {
        const row = sql.get.get(id)
        return row && { ...toEvent(row), history: sql.history.all(row.seq).map(toAttempt) }
      }),
    counts: () =>
      settled(() => {
        const counts: Record<EventState, number> = { pending: 0, dead: 0, delivered: 0 }
        for (const { state, count } of sql.counts.all()) counts[state] = count
        return counts
      }),
    activity: (since, until, bucket) =>
      settled(() => {
        const { activity } = activityBuckets(since, until, bucket)
        const fill = (series: number[], rows: Array<{ bucket: number; count: number }>) => {
          for (const row of rows) if (row.bucket < series.length) series[row.bucket] = row.count
        }
        const range = { since, bucket }
        fill(activity.received, sql.received.all(range))
        fill(activity.delivered, sql.delivered.all(range))
        fill(activity.failed, sql.failed.all(range))
        return activity
      }),
    close: () =>
      settled(() => {
        purging?.stop()
        batch.flush()
        db.close()
      }),
  }
}
