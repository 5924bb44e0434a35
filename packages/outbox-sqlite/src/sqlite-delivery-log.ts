import type { Claim, DeliveryLog } from '@webhook-trigger/core'
import { openDatabase } from './open-database.js'
import { FILE_KEYS, type SqliteOutboxOptions, resolveOptions } from './sqlite-outbox-options.js'

/** The same file settings as sqliteOutbox(), whose file it may share. A failing claim is logged by webhook(), whose check it fails. */
export type SqliteDeliveryLogOptions = Omit<SqliteOutboxOptions, 'logger'>

// `expires_at` is decided by the caller's `now`, so the log honours any clock it
// is given; the index lets the prune find expired rows without a table scan.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_delivery_log (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS webhook_delivery_log_expires ON webhook_delivery_log (expires_at);
`

/** A prune runs at most this often (by the callers' `now`), unless the last one left a backlog. */
const PRUNE_EVERY_MS = 10_000
/** Rows one prune deletes at most, so no call waits on a long delete. */
const PRUNE_BATCH = 1000

interface Known {
  state: 'pending' | 'done'
  hash: string
  expires_at: number
}

type Mark = { key: string; state: Known['state']; hash: string; expires: number }

/**
 * A delivery log in one SQLite file, for replay protection and de-duplication
 * that survive a restart and hold across several processes sharing the file.
 * A claim is one `BEGIN IMMEDIATE` transaction, so of two processes claiming
 * the same new key at once exactly one hears `new`. It may share its file with
 * sqliteOutbox(): it keeps its own table, `webhook_delivery_log`.
 *
 * @example
 * import { sqliteDeliveryLog } from '@webhook-trigger/outbox-sqlite'
 *
 * webhook({ auth: standardWebhooks({ secret }), replay: sqliteDeliveryLog({ path: './data/webhook.sqlite' }) })
 * webhook({ auth, dedupe: { log: sqliteDeliveryLog({ path: './data/webhook.sqlite' }), window: '24h' } })
 */
export function sqliteDeliveryLog(options: SqliteDeliveryLogOptions): DeliveryLog & { close(): Promise<void> } {
  const db = openDatabase(resolveOptions(options, 'sqliteDeliveryLog()', FILE_KEYS), 'sqliteDeliveryLog()')
  try {
    db.exec(SCHEMA)
  } catch (error) {
    db.close()
    throw error
  }
  const known = db.prepare<[key: string], Known>('SELECT state, hash, expires_at FROM webhook_delivery_log WHERE key = ?')
  const mark = db.prepare<Mark>(
    `INSERT INTO webhook_delivery_log (key, state, hash, expires_at) VALUES (@key, @state, @hash, @expires)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, hash = excluded.hash, expires_at = excluded.expires_at`,
  )
  const forget = db.prepare<[key: string]>('DELETE FROM webhook_delivery_log WHERE key = ?')
  const prune = db.prepare<[now: number, max: number]>(
    `DELETE FROM webhook_delivery_log WHERE key IN
       (SELECT key FROM webhook_delivery_log WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
  )

  // IMMEDIATE takes the write lock before reading, so a second process waits
  // for this answer instead of reading the key as unknown from its own snapshot.
  const claim = db.transaction((key: string, hash: string, pendingMs: number, now: number): Claim => {
    const row = known.get(key)
    if (row !== undefined && row.expires_at > now) return { state: row.state, hash: row.hash }
    mark.run({ key, state: 'pending', hash, expires: now + pendingMs })
    return { state: 'new' }
  })

  // Expired rows only cost space (a claim compares expiry itself), so they go
  // in batches now and then; processes sharing a local file share its clock.
  let nextPrune = 0
  function pruneNow(now: number): void {
    if (now < nextPrune) return
    const backlog = prune.run(now, PRUNE_BATCH).changes === PRUNE_BATCH
    nextPrune = backlog ? now : now + PRUNE_EVERY_MS
  }

  return {
    claim: (key, hash, pendingMs, now) =>
      settled(() => {
        pruneNow(now)
        return claim.immediate(key, hash, pendingMs, now)
      }),
    complete: (key, hash, windowMs, now) => settled(() => void mark.run({ key, state: 'done', hash, expires: now + windowMs })),
    release: (key) => settled(() => void forget.run(key)),
    close: () => settled(() => void db.close()),
  }
}

/** better-sqlite3 is synchronous: run the call now, and let a throw reject the promise. */
function settled<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()))
}
