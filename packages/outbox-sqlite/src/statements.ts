import type { OutboxMessage, OutboxState } from '@webhook-trigger/core'
import type Sqlite from 'better-sqlite3'

/** A stored message as SQLite returns it. */
export interface Row {
  id: string
  target: string
  headers: string
  body: Buffer
  attempts: number
  created_at: number
  next_attempt_at: number
  last_error: string | null
  last_status: number | null
}

// `seq` is the insertion order (oldest first, ties of equal due time).
// `due_at` is when the row may be leased: `next_attempt_at`, or `lease_until`
// while leased, so one index finds both fresh and expired work.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_outbox (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  target TEXT NOT NULL,
  headers TEXT NOT NULL,
  body BLOB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'dead')),
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_until INTEGER,
  last_error TEXT,
  last_status INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (state, due_at);
`

const COLUMNS = 'id, target, headers, body, attempts, created_at, next_attempt_at, last_error, last_status'
const UNLEASED = 'lease_token = NULL, lease_until = NULL'
const HELD = 'id = @id AND lease_token = @token'
const REVIVE = `state = 'pending', attempts = 0, next_attempt_at = @now, due_at = @now, ${UNLEASED}`

interface Held {
  id: string
  token: string
}

type Run<Params extends unknown[] | object> = Sqlite.Statement<Params>
type Read<Params extends unknown[] | object, Result> = Sqlite.Statement<Params, Result>

export interface Statements {
  insert: Run<{ id: string; target: string; headers: string; body: Buffer; now: number }>
  due: Read<[now: number, max: number], { seq: number }>
  take: Read<{ seq: number; token: string; until: number }, Row>
  complete: Run<Held>
  retry: Run<Held & { at: number; error: string; status: number | null }>
  bury: Run<Held & { error: string; status: number | null }>
  release: Run<Held & { at: number }>
  list: Read<[state: OutboxState, limit: number], Row>
  redeliver: Run<{ id: string; now: number }>
  redeliverAll: Run<{ now: number }>
  purge: Run<[state: OutboxState]>
  counts: Read<[], { state: OutboxState; count: number; oldest: number }>
}

/** Creates the table if needed and prepares every statement once. */
export function prepareStatements(db: Sqlite.Database): Statements {
  db.exec(SCHEMA)
  return {
    insert: db.prepare(
      `INSERT INTO webhook_outbox (id, target, headers, body, state, attempts, created_at, next_attempt_at, due_at)
       VALUES (@id, @target, @headers, @body, 'pending', 0, @now, @now, @now) ON CONFLICT (id) DO NOTHING`,
    ),
    due: db.prepare(
      `SELECT seq FROM webhook_outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, seq LIMIT ?`,
    ),
    take: db.prepare(
      `UPDATE webhook_outbox SET attempts = attempts + 1, lease_token = @token, lease_until = @until, due_at = @until
       WHERE seq = @seq RETURNING ${COLUMNS}`,
    ),
    complete: db.prepare(`DELETE FROM webhook_outbox WHERE ${HELD}`),
    retry: db.prepare(
      `UPDATE webhook_outbox SET next_attempt_at = @at, due_at = @at, last_error = @error, last_status = @status, ${UNLEASED}
       WHERE ${HELD}`,
    ),
    bury: db.prepare(
      `UPDATE webhook_outbox SET state = 'dead', last_error = @error, last_status = @status, ${UNLEASED} WHERE ${HELD}`,
    ),
    release: db.prepare(
      `UPDATE webhook_outbox SET attempts = attempts - 1, next_attempt_at = @at, due_at = @at, ${UNLEASED} WHERE ${HELD}`,
    ),
    list: db.prepare(
      `SELECT ${COLUMNS} FROM webhook_outbox WHERE state = ? ORDER BY seq LIMIT ?`,
    ),
    redeliver: db.prepare(`UPDATE webhook_outbox SET ${REVIVE} WHERE id = @id AND state = 'dead'`),
    redeliverAll: db.prepare(`UPDATE webhook_outbox SET ${REVIVE} WHERE state = 'dead'`),
    purge: db.prepare(`DELETE FROM webhook_outbox WHERE state = ?`),
    counts: db.prepare(`SELECT state, count(*) AS count, min(created_at) AS oldest FROM webhook_outbox GROUP BY state`),
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
  return message
}
