import type { Attempt, EventState, OutboxMessage, OutboxState, StoredEvent } from '@webhook-trigger/core'
import type Sqlite from 'better-sqlite3'

/** A stored message as SQLite returns it. */
export interface Row {
  seq: number
  id: string
  target: string
  headers: string
  body: Buffer
  state: EventState
  attempts: number
  created_at: number
  next_attempt_at: number
  due_at: number
  last_error: string | null
  last_status: number | null
  event: string | null
  tenant: string | null
}

export interface AttemptRow {
  at: number
  duration: number
  status: number | null
  error: string | null
  response: string | null
}

// `seq` is the insertion order (oldest first, ties of equal due time).
// `due_at` is when the row may be leased: `next_attempt_at`, or `lease_until`
// while leased, so one index finds both fresh and expired work; for a delivered
// row it is when it was delivered, so the same index finds what retention purges.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_outbox (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  target TEXT NOT NULL,
  headers TEXT NOT NULL,
  body BLOB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'dead', 'delivered')),
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_until INTEGER,
  last_error TEXT,
  last_status INTEGER,
  event TEXT,
  tenant TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (state, due_at);
CREATE TABLE IF NOT EXISTS webhook_attempt (
  event_seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  status INTEGER,
  error TEXT,
  response TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS webhook_attempt_event ON webhook_attempt (event_seq);
`

/** The first version's columns: a file it created is copied into the current table once. */
const V1_COLUMNS = 'seq, id, target, headers, body, state, attempts, created_at, next_attempt_at, due_at, lease_token, lease_until, last_error, last_status'

/** Creates the tables, moving a file of the first version (no delivered state, no attempts) to this one. */
function migrate(db: Sqlite.Database): void {
  db.transaction(() => {
    const table = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'webhook_outbox'`).get() as { sql: string } | undefined
    if (table !== undefined && !table.sql.includes("'delivered'")) {
      db.exec(`DROP INDEX IF EXISTS webhook_outbox_due; ALTER TABLE webhook_outbox RENAME TO webhook_outbox_v1;`)
      db.exec(SCHEMA)
      db.exec(`INSERT INTO webhook_outbox (${V1_COLUMNS}) SELECT ${V1_COLUMNS} FROM webhook_outbox_v1; DROP TABLE webhook_outbox_v1;`)
    } else db.exec(SCHEMA)
  }).immediate()
}

const COLUMNS = 'seq, id, target, headers, body, state, attempts, created_at, next_attempt_at, due_at, last_error, last_status, event, tenant'
const UNLEASED = 'lease_token = NULL, lease_until = NULL'
const HELD = 'id = @id AND lease_token = @token'
const REVIVE = `state = 'pending', attempts = 0, next_attempt_at = @now, due_at = @now, ${UNLEASED}`
const ATTEMPTS_OF = (rows: string) => `DELETE FROM webhook_attempt WHERE event_seq IN (SELECT seq FROM webhook_outbox WHERE ${rows})`

interface Held {
  id: string
  token: string
}

export type Filter = {
  state: EventState
  event: string | null
  tenant: string | null
  from: number
  to: number
  before: number
  limit: number
}

type Run<Params extends unknown[] | object> = Sqlite.Statement<Params>
type Read<Params extends unknown[] | object, Result> = Sqlite.Statement<Params, Result>
type Since = { since: number; bucket: number }
/** Delivered rows go when delivered before `cutoff`, or at or before the row (`at`, `seq`) in delivery order. */
type Expiry = { cutoff: number; at: number; seq: number }
const EXPIRED = `state = 'delivered' AND (due_at < @cutoff OR due_at < @at OR (due_at = @at AND seq <= @seq))`

export interface Statements {
  insert: Run<{ id: string; target: string; headers: string; body: Buffer; now: number; event: string | null; tenant: string | null }>
  due: Read<[now: number, max: number], { seq: number }>
  take: Read<{ seq: number; token: string; until: number }, Row>
  complete: Read<Held, { seq: number }>
  deliver: Read<Held & { at: number }, { seq: number }>
  retry: Read<Held & { at: number; error: string; status: number | null }, { seq: number }>
  bury: Read<Held & { error: string; status: number | null }, { seq: number }>
  record: Run<AttemptRow & { seq: number }>
  release: Run<Held & { at: number }>
  list: Read<[state: OutboxState, limit: number], Row>
  find: Read<Filter, Row>
  get: Read<[id: string], Row>
  history: Read<[seq: number], AttemptRow>
  counts: Read<[], { state: EventState; count: number }>
  stats: Read<[], { state: EventState; count: number; oldest: number }>
  received: Read<Since, { bucket: number; count: number }>
  delivered: Read<Since, { bucket: number; count: number }>
  failed: Read<Since, { bucket: number; count: number }>
  redeliver: Run<{ id: string; now: number }>
  redeliverAll: Run<{ now: number }>
  purgeAttempts: Run<[state: OutboxState]>
  purgeAttemptsOf: Run<[seq: number]>
  purge: Run<[state: OutboxState]>
  expireAttempts: Run<Expiry>
  expire: Run<Expiry>
  /** The newest delivered row beyond the cap. */
  capAt: Read<{ keep: number }, { due_at: number; seq: number }>
}

/** Creates the tables if needed and prepares every statement once. */
export function prepareStatements(db: Sqlite.Database): Statements {
  migrate(db)
  const buckets = (column: string, where: string) =>
    db.prepare<Since, { bucket: number; count: number }>(`SELECT CAST((${column} - @since) / @bucket AS INTEGER) AS bucket, count(*) AS count FROM ${where} AND ${column} >= @since GROUP BY 1`)
  return {
    insert: db.prepare(
      `INSERT INTO webhook_outbox (id, target, headers, body, state, attempts, created_at, next_attempt_at, due_at, event, tenant)
       VALUES (@id, @target, @headers, @body, 'pending', 0, @now, @now, @now, @event, @tenant) ON CONFLICT (id) DO NOTHING`,
    ),
    due: db.prepare(`SELECT seq FROM webhook_outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, seq LIMIT ?`),
    take: db.prepare(
      `UPDATE webhook_outbox SET attempts = attempts + 1, lease_token = @token, lease_until = @until, due_at = @until
       WHERE seq = @seq RETURNING ${COLUMNS}`,
    ),
    complete: db.prepare(`DELETE FROM webhook_outbox WHERE ${HELD} RETURNING seq`),
    deliver: db.prepare(`UPDATE webhook_outbox SET state = 'delivered', due_at = @at, ${UNLEASED} WHERE ${HELD} RETURNING seq`),
    retry: db.prepare(
      `UPDATE webhook_outbox SET next_attempt_at = @at, due_at = @at, last_error = @error, last_status = @status, ${UNLEASED}
       WHERE ${HELD} RETURNING seq`,
    ),
    bury: db.prepare(
      `UPDATE webhook_outbox SET state = 'dead', last_error = @error, last_status = @status, ${UNLEASED} WHERE ${HELD} RETURNING seq`,
    ),
    record: db.prepare(`INSERT INTO webhook_attempt (event_seq, at, duration, status, error, response) VALUES (@seq, @at, @duration, @status, @error, @response)`),
    release: db.prepare(`UPDATE webhook_outbox SET attempts = attempts - 1, next_attempt_at = @at, due_at = @at, ${UNLEASED} WHERE ${HELD}`),
    list: db.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE state = ? ORDER BY seq LIMIT ?`),
    find: db.prepare(
      `SELECT ${COLUMNS} FROM webhook_outbox
       WHERE state = @state AND seq < @before AND created_at >= @from AND created_at < @to
         AND (@event IS NULL OR event = @event) AND (@tenant IS NULL OR tenant = @tenant)
       ORDER BY seq DESC LIMIT @limit`,
    ),
    get: db.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE id = ?`),
    history: db.prepare(`SELECT at, duration, status, error, response FROM webhook_attempt WHERE event_seq = ? ORDER BY rowid`),
    stats: db.prepare(`SELECT state, count(*) AS count, min(created_at) AS oldest FROM webhook_outbox GROUP BY state`),
    counts: db.prepare(`SELECT state, count(*) AS count FROM webhook_outbox GROUP BY state`),
    received: buckets('created_at', 'webhook_outbox WHERE 1'),
    delivered: buckets('due_at', `webhook_outbox WHERE state = 'delivered'`),
    failed: buckets('at', 'webhook_attempt WHERE (status IS NULL OR status < 200 OR status >= 300)'),
    redeliver: db.prepare(`UPDATE webhook_outbox SET ${REVIVE} WHERE id = @id AND state = 'dead'`),
    redeliverAll: db.prepare(`UPDATE webhook_outbox SET ${REVIVE} WHERE state = 'dead'`),
    purgeAttempts: db.prepare(ATTEMPTS_OF('state = ?')),
    purgeAttemptsOf: db.prepare(`DELETE FROM webhook_attempt WHERE event_seq = ?`),
    purge: db.prepare(`DELETE FROM webhook_outbox WHERE state = ?`),
    expireAttempts: db.prepare(ATTEMPTS_OF(EXPIRED)),
    expire: db.prepare(`DELETE FROM webhook_outbox WHERE ${EXPIRED}`),
    capAt: db.prepare(`SELECT due_at, seq FROM webhook_outbox WHERE state = 'delivered' ORDER BY due_at DESC, seq DESC LIMIT 1 OFFSET @keep`),
  }
}

/** The row as the Outbox interface hands it out: body bytes untouched, headers parsed. */
export function toMessage(row: Row): OutboxMessage {
  const message: OutboxMessage = {
    id: row.id,
    target: row.target,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
  }
  if (row.last_error !== null) message.lastError = row.last_error
  if (row.last_status !== null) message.lastStatus = row.last_status
  if (row.event !== null) message.event = row.event
  if (row.tenant !== null) message.tenant = row.tenant
  return message
}

export function toEvent(row: Row): StoredEvent {
  const event: StoredEvent = { ...toMessage(row), state: row.state }
  if (row.state === 'delivered') event.deliveredAt = row.due_at
  return event
}

export function toAttempt(row: AttemptRow): Attempt {
  const attempt: Attempt = { at: row.at, duration: row.duration }
  if (row.status !== null) attempt.status = row.status
  if (row.error !== null) attempt.error = row.error
  if (row.response !== null) attempt.response = row.response
  return attempt
}
